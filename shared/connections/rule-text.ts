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

/**
 * The text of a request made of separate parts (messages, content parts, tool results, schema
 * fields): the parts joined by a space, then a line break, then the parts joined with nothing.
 * Split a word or a phrase across parts and one of the two joinings puts it back together:
 * `DROP` + ` TABLE` and `rm -r` + `f /` read whole when joined with nothing, `print my` +
 * `environment` when joined by a space. One part is its own text.
 */
export function partsText(parts: readonly string[]): string {
  const present = parts.filter((part) => part.length > 0);
  if (present.length <= 1) return present[0] ?? '';
  return `${present.join(' ')}\n${present.join('')}`;
}

// An operation is judged against every rule of the policy: normalise its text once.
const normalized = new WeakMap<Operation, string>();

/** The text `body` rules are matched against. */
export function ruleText(operation: Operation): string {
  let text = normalized.get(operation);
  if (text === undefined) {
    text = normalizeRuleText(operation.text);
    normalized.set(operation, text);
  }
  return text;
}
