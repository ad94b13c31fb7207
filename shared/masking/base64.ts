// Text carried as base64 in a JSON string (GitHub's and GitLab's contents APIs: `"content":
// "<base64, a newline every 60 characters>", "encoding": "base64"`) is decoded and masked as
// text; when a finding is made in it, the masked text is encoded again the same way (same line
// width), so the agent never decodes a secret out of it. Values that do not decode to UTF-8
// text (random tokens, binary files) are left to the other rules.
import { isUtf8 } from 'node:buffer';
import { MAX_JSON_DEPTH } from './limits.js';

/** Shorter base64 is a token or an id rather than a file: the rules see it as it is. */
const MIN_BASE64 = 16;

const isBase64Char = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61 || c === 10 || c === 13;

/** Whether text[from, to) may be base64 (checked cheaply, without decoding). */
export function maybeBase64(text: string, from = 0, to = text.length): boolean {
  if (to - from < MIN_BASE64) return false;
  let letters = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    // JSON text holds a newline as the escape `\n`: skip the escape's backslash and letter.
    if (c === 92 && (text.charCodeAt(i + 1) === 110 || text.charCodeAt(i + 1) === 114)) {
      i++;
      continue;
    }
    if (!isBase64Char(c)) return false;
    if (c !== 10 && c !== 13) letters++;
  }
  return letters >= MIN_BASE64 && letters % 4 === 0;
}

/**
 * Masks the text `value` carries as base64 with `mask`; the value re-encoded when the mask changed
 * it, undefined when it is not base64 text or nothing was found in it.
 */
export function maskBase64(value: string, depth: number, mask: (text: string, depth: number) => string): string | undefined {
  if (depth >= MAX_JSON_DEPTH || !maybeBase64(value) || !mayBeUtf8Text(value)) return undefined;
  const compact = value.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  // Checked before decoding: random tokens and hashes are rarely UTF-8, and a fatal decoder's
  // exception for each one cost more than the rest of JSON mode.
  const bytes = Buffer.from(compact, 'base64');
  if (!isUtf8(bytes)) return undefined;
  const decoded = bytes.toString('utf8');
  if (!isText(decoded)) return undefined;
  const masked = mask(decoded, depth + 1);
  if (masked === decoded) return undefined;
  return wrap(Buffer.from(masked).toString('base64'), value);
}

/** Sextet of each base64 character, either alphabet (`+/`, URL-safe `-_`); -1 for others. */
export const SEXTET = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  table[45] = 62;
  table[95] = 63;
  return table;
})();
/** Characters of base64 whose bytes mayBeUtf8Text reads: four groups, twelve bytes. */
const PREFIX = 16;
const prefix = new Uint8Array((PREFIX / 4) * 3);

/**
 * Whether the bytes the first characters of `value` encode can begin UTF-8 text: no NUL, no
 * byte that cannot be one, no sequence broken inside them. A random token or a hash is rarely
 * ruled in, and ruling it out here costs no allocation (the full check copies and decodes it).
 * A value with a line break among those characters is left to the full check.
 */
function mayBeUtf8Text(value: string): boolean {
  for (let i = 0; i < PREFIX; i += 4) {
    let quad = 0;
    for (let k = 0; k < 4; k++) {
      const c = value.charCodeAt(i + k);
      const sextet = c < 128 ? SEXTET[c]! : -1;
      if (sextet < 0) return true;
      quad = (quad << 6) | sextet;
    }
    prefix[(i / 4) * 3] = quad >>> 16;
    prefix[(i / 4) * 3 + 1] = (quad >>> 8) & 255;
    prefix[(i / 4) * 3 + 2] = quad & 255;
  }
  for (let i = 0; i < prefix.length; ) {
    const b = prefix[i]!;
    if (b === 0) return false;
    if (b < 0x80) {
      i++;
      continue;
    }
    // The second byte's range for each lead (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else return false;
    for (let k = 1; k < length && i + k < prefix.length; k++) {
      const next = prefix[i + k]!;
      if (next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return false;
    }
    i += length;
  }
  return true;
}

/** Text, not binary: no NUL and few other control characters. */
export function isText(text: string): boolean {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return false;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) controls++;
  }
  return controls * 100 <= text.length;
}

/** `encoded` broken into lines as `like` was (its first line's width, its line ending, a final newline). */
function wrap(encoded: string, like: string): string {
  const nl = like.indexOf('\n');
  if (nl === -1) return encoded;
  const ending = like[nl - 1] === '\r' ? '\r\n' : '\n';
  const width = like[nl - 1] === '\r' ? nl - 1 : nl;
  if (width <= 0) return encoded;
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += width) lines.push(encoded.slice(i, i + width));
  return lines.join(ending) + (like.endsWith('\n') ? ending : '');
}
