// Sensitive keys in text: a quoted member, "password": "…" or 'token': '…', as JSON written
// into a log line, a Python dict's repr, a JSON fragment in a model's answer. JSON mode masks
// the values under sensitive keys itself; text that is not one JSON document gets the same from
// this scanner, under the same rule id and the same key names (the policy's).
import { keyGates, type KeyFilter, type KeyMatcher } from './sensitive-keys.js';
import type { Replacement, ScanRule } from './rule.js';
import { SENSITIVE_KEY_RULE } from './core.js';
import { MAX_PAIR_NAME, PAIR_NAMES } from './json-text.js';
import { looksLikeUrlOrRoute, standsIn } from './rules/filters.js';

/** Longest key and value read (characters). */
const MAX_KEY = 128;
const MAX_VALUE = 1024;

const QUOTE = 34;
const APOSTROPHE = 39;
const isQuote = (c: number) => c === QUOTE || c === APOSTROPHE;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlnum = (c: number) => isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 122);
const isBlank = (c: number) => c === 32 || c === 9;
const isEnd = (c: number) => c === 10 || c === 13;

/** Between a key and its value's quote; between a key and the end of a stream's text so far. */
const COLON = /^[ \t]{0,3}:[ \t]{0,8}$/;
const MAYBE_COLON = /^[ \t]{0,3}(?::[ \t]{0,8})?$/;

/** Values that name a value rather than hold one: a template, a variable, a placeholder, stars. */
const TEMPLATE = /^(?:\$\{[^}]*\}|\$[A-Za-z_]\w*|\{\{.*\}\}|<[^>]*>|&lt;.*&gt;|%\([^)]*\)s|\*+)$/;

/**
 * The end of the string that opens at `open`: its closing quote, or where its line or the text
 * ends first (a log line cut short still holds the start of the secret); -1 past MAX_VALUE.
 */
export function closing(text: string, open: number, quote: number): number {
  const limit = Math.min(text.length, open + 1 + MAX_VALUE);
  for (let i = open + 1; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === quote || isEnd(c)) return i;
    if (c === 92) i++;
  }
  return limit === text.length ? text.length : -1;
}

/** How far back the start of a pair's object is looked for (characters). */
const PAIR_LOOKBACK = 512;
/** A pair's name member ({"name": "DB_PASSWORD", "value": …}), by the names JSON mode reads (PAIR_NAMES). */
const PAIR_NAME = new RegExp(`["'](?:${PAIR_NAMES.join('|')})["'][ \\t]{0,3}:[ \\t]{0,8}["']([^"'\\\\\\r\\n]{1,${MAX_PAIR_NAME}})["']`, 'g');

/** Whether text[open, close] is the quoted key "value" (or 'value'). */
const isValueKey = (text: string, open: number, close: number) =>
  close - open === 6 && text.charCodeAt(open) === text.charCodeAt(close) && text.startsWith('value', open + 1);

/**
 * The name of the pair whose "value" key opens at `open`: the last name member between the
 * start of its object and it, if that start is near.
 */
function pairName(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open - 1; i >= 0 && open - i <= PAIR_LOOKBACK; i--) {
    const c = text.charCodeAt(i);
    if (c === 125) depth++;
    else if (c === 123 && depth-- === 0) {
      let name: string | undefined;
      for (const m of text.slice(i, open).matchAll(PAIR_NAME)) name = m[1];
      return name;
    }
  }
  return undefined;
}

/** Where the key whose closing quote is at `close` starts (its first character), or undefined. */
function keyBefore(text: string, close: number): number | undefined {
  const quote = text.charCodeAt(close);
  for (let i = close - 1; i >= 0 && close - i <= MAX_KEY; i--) {
    const c = text.charCodeAt(i);
    if (c === quote) return i + 1 < close && text.charCodeAt(i - 1) !== 92 ? i + 1 : undefined;
    if (isQuote(c) || isEnd(c) || c === 92) return undefined;
  }
  return undefined;
}

/**
 * The scanner for the sensitive key `names` (as the policy gives them). Its gates are a key's
 * last letters, its closing quote, the colon and the value's quote: JSON text has a member
 * every few characters, and most end in letters no sensitive name ends in.
 */
export function quotedMembers(names: readonly string[], isSensitiveKey: KeyMatcher, mayBeSensitiveKey: KeyFilter, replacement?: Replacement): ScanRule {
  const member = `["'][ \t]{0,3}:[ \t]{0,8}["']`;
  // The "value" of a name/value pair whose name is sensitive ends in "ue".
  const gates = keyGates(names, member, member, ['ue']);
  const sensitive = (text: string, from: number, to: number) => mayBeSensitiveKey(text, from, to) && isSensitiveKey(text.slice(from, to));
  /** Whether text[open, close] is a quoted sensitive key. */
  const isKey = (text: string, open: number, close: number) =>
    close - open - 1 <= MAX_KEY && text.charCodeAt(open) === text.charCodeAt(close) && sensitive(text, open + 1, close);
  /** Whether text[open, close] is the "value" of a pair whose name is sensitive. */
  const isPairValue = (text: string, open: number, close: number) => {
    if (!isValueKey(text, open, close)) return false;
    const name = pairName(text, open);
    return name !== undefined && isSensitiveKey(name);
  };

  return {
    id: SENSITIVE_KEY_RULE,
    gates,
    scan(text, starts, emit) {
      let from = 0;
      for (const start of starts) {
        // The gate starts at the key's last letters (two or three, then maybe a separator and a
        // number), or (a one-character name) at its closing quote. A gate of some length allows
        // starts that are not its own: each is read as the gate reads it.
        let close = start;
        if (!isQuote(text.charCodeAt(start))) {
          while (close < start + 3 && isAlnum(text.charCodeAt(close))) close++;
          if (text.charCodeAt(close) === 45 || text.charCodeAt(close) === 95) close++;
          const digits = close;
          while (close < digits + 3 && isDigit(text.charCodeAt(close))) close++;
          if (!isQuote(text.charCodeAt(close))) continue;
        }
        if (close < from) continue;
        const pair = isValueKey(text, close - 6, close);
        // Most keys are not sensitive, and the filter tells so from their last characters.
        if (!pair && !mayBeSensitiveKey(text, Math.max(0, close - MAX_KEY), close)) continue;
        const key = keyBefore(text, close);
        if (key === undefined || !(pair ? isPairValue(text, key - 1, close) : isSensitiveKey(text.slice(key, close)))) continue;
        let i = close + 1;
        while (isBlank(text.charCodeAt(i))) i++;
        if (text.charCodeAt(i++) !== 58) continue; // the colon
        while (isBlank(text.charCodeAt(i))) i++;
        if (!isQuote(text.charCodeAt(i))) continue;
        const end = closing(text, i, text.charCodeAt(i));
        if (end < 0) continue;
        const value = text.slice(i + 1, end);
        // A template names a value, a stand-in or a word for none holds none (standsIn); a URL or a
        // route is where a setting points (a redirect map's "…/reset-password": "/en/auth").
        if (TEMPLATE.test(value) || standsIn(value) || looksLikeUrlOrRoute(value)) continue;
        emit(i + 1, end);
        from = end;
      }
    },
    // A member still forming at the end of a stream's text is held from its key's opening quote:
    // inside a value ("password": "hun), after a key ("password" :), or what may be a key ("pass).
    holdFrom(text) {
      const n = text.length;
      const q: number[] = [];
      for (let i = n - 1; i >= 0 && n - i <= MAX_KEY + MAX_VALUE + 16 && q.length < 3; i--) {
        const c = text.charCodeAt(i);
        if (isEnd(c)) break;
        if (isQuote(c) && text.charCodeAt(i - 1) !== 92) q.push(i);
      }
      if (q.length === 0) return n;
      // Inside a value: key q[2]..q[1], its colon, the value opened at q[0].
      if (q.length === 3 && n - q[0]! <= MAX_VALUE + 1 && COLON.test(text.slice(q[1]! + 1, q[0]!)) && (isKey(text, q[2]!, q[1]!) || isPairValue(text, q[2]!, q[1]!))) return q[2]!;
      // After a key q[1]..q[0], its colon maybe to come.
      if (q.length >= 2 && MAYBE_COLON.test(text.slice(q[0]! + 1)) && isKey(text, q[1]!, q[0]!)) return q[1]!;
      // What may be a key, opened at q[0].
      return n - q[0]! <= MAX_KEY + 1 ? q[0]! : n;
    },
    ...(replacement && { replacement }),
  };
}
