// The text `body` rules see, for every connection kind: the operation's text, normalised so that
// what reads the same to a model or a database reads the same to a rule. NFKC folds full-width,
// ligature, circled and mathematical letters to plain ones (`ＤＲＯＰ`, `𝐃𝐑𝐎𝐏` → `DROP`, a
// no-break space → a space); invisible characters are removed, so a zero-width space or a soft
// hyphen inside a keyword does not hide it: format characters (zero-width spaces and joiners, word
// joiner, byte-order mark, bidi controls, tag characters…), every other default-ignorable code
// point (variation selectors, Hangul fillers…) and control characters other than whitespace.
import type { Operation } from './operation.js';

const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\0-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]/gu;

// Printable ASCII and whitespace are already what a rule should see (most prompts, SQL and JSON).
const PLAIN = /^[\t\n\v\f\r\x20-\x7e]*$/;

export function normalizeRuleText(text: string): string {
  if (PLAIN.test(text)) return text;
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

/** What rules see of a request: its text (recorded, masked), and text for rules alone (Operation.matchText). */
export interface RuleTexts {
  text: string;
  matchText?: string;
}

/**
 * The text of a request made of separate parts (messages, content parts, tool results, schema
 * fields): the parts joined by a space, and for rules alone the parts joined with nothing. Split a
 * word or a phrase across parts and one of the two joinings puts it back together: `DROP` +
 * ` TABLE` and `rm -r` + `f /` read whole when joined with nothing, `print my` + `environment`
 * when joined by a space. One part is its own text.
 */
export function partsText(parts: readonly string[]): RuleTexts {
  const present = parts.filter((part) => part.length > 0);
  if (present.length <= 1) return { text: present[0] ?? '' };
  return { text: present.join(' '), matchText: present.join('') };
}

// An operation is judged against every rule of the policy: normalise its text once.
const normalized = new WeakMap<Operation, string>();

/** The text `body` rules are matched against. */
export function ruleText(operation: Operation): string {
  let text = normalized.get(operation);
  if (text === undefined) {
    text = normalizeRuleText(operation.matchText ? `${operation.text}\n${operation.matchText}` : operation.text);
    normalized.set(operation, text);
  }
  return text;
}

/**
 * `application/x-www-form-urlencoded` (and query-string) pairs as a server reads them: split on
 * `&`, then at the first `=`, `+` a space, percent-escapes decoded as UTF-8 (a malformed one kept as
 * written, as Node's querystring does). A piece without `=` has no value.
 */
export function formPairs(text: string): Array<[string, string | undefined]> {
  if (text === '') return [];
  return text.split('&').map((piece) => {
    const at = piece.indexOf('=');
    return at < 0 ? [formDecode(piece), undefined] : [formDecode(piece.slice(0, at)), formDecode(piece.slice(at + 1))];
  });
}

function formDecode(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  if (!spaced.includes('%')) return spaced;
  return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => new TextDecoder().decode(Uint8Array.from(run.slice(1).split('%'), (hex) => parseInt(hex, 16))));
}

/**
 * The query as the upstream reads it, for `query` rules, which match it as sent or like this: each
 * key and value decoded (formPairs), with only `%`, `&` and `=` inside them escaped again so that a
 * decoded value cannot pose as another pair. `_%6Dethod=DELETE` reads `_method=DELETE`.
 */
export function decodedQuery(query: string): string {
  if (!query.includes('%') && !query.includes('+')) return query;
  const escape = (text: string) => text.replace(/[%&=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return formPairs(query)
    .map(([key, value]) => (value === undefined ? escape(key) : `${escape(key)}=${escape(value)}`))
    .join('&');
}
