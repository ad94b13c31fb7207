// Escapes that hide a secret from the rules in text: a JSON escape outside a JSON document
// (\u0067hp_… in a log line, \/ in a PHP API's base64), percent-encoding (a connection string
// as a query parameter, AccountKey=…%2B…%3D%3D), HTML's character references (JSON in an
// attribute, data-props="{&quot;password&quot;:…}") and a terminal's escape sequences, which
// grep --color and colourised logs put between a key and its value or inside a token
// (ghp_ESC[mESC[K…). Where a text holds such an escape, the rules also read it decoded (the
// terminal's sequences removed), and what they find there is masked in the text as written,
// escapes and all. A text without one costs a search for "%", "\", "&" and ESC; one with some, a
// second reading of the stretches around them.
import type { Analysis, Detector } from './core.js';
import { merge } from './engine.js';
import type { Span } from './rule.js';

/**
 * Characters a secret or its setting is made of (tokens, base64, URLs, connection strings, JSON's
 * punctuation): only their escapes are decoded. Not a space: %20 is in every other URL.
 */
const TOKEN_CHAR = /[A-Za-z0-9+/=_.:@;~"{}[\],-]/;

const PERCENT = 37;
const BACKSLASH = 92;
const AMPERSAND = 38;
const ESC = 27;
const BEL = 7;

const hexValue = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);
const within = (c: number, low: number, high: number) => c >= low && c <= high;

/** HTML's named references of the characters that markup escapes. */
const NAMED: ReadonlyMap<string, number> = new Map([
  ['quot', 34],
  ['amp', 38],
  ['apos', 39],
  ['lt', 60],
  ['gt', 62],
]);

/** The code and length of the character reference at `i` (an "&"), or undefined: named, &#34; or &#x22;, ";" ending it. */
function referenceAt(text: string, i: number): { code: number; length: number } | undefined {
  let j = i + 1;
  let code = 0;
  if (text.charCodeAt(j) === 35) {
    const hex = (text.charCodeAt(j + 1) | 32) === 120;
    const digit = (c: number) => (hex ? hexValue(c) : within(c, 48, 57) ? c - 48 : -1);
    j += hex ? 2 : 1;
    const digits = j;
    // Seven digits at most: any code, leading zeros and all; a longer run is not read on.
    for (let d = digit(text.charCodeAt(j)); d >= 0 && j - digits < 7; d = digit(text.charCodeAt(++j))) code = code * (hex ? 16 : 10) + d;
    if (j === digits) return undefined;
  } else {
    while (j - i <= 4 && within(text.charCodeAt(j) | 32, 97, 122)) j++;
    code = NAMED.get(text.slice(i + 1, j)) ?? -1;
  }
  return text.charCodeAt(j) === 59 && code >= 0 ? { code, length: j + 1 - i } : undefined;
}

/**
 * Length of the ECMA-48 sequence at `i` (an ESC), 0 when it is none: a control sequence (CSI:
 * colours, ESC[K), a control string to BEL or ST (OSC: a title, a hyperlink; DCS, SOS, PM, APC),
 * or ESC and a final character after any intermediates (ESC(B as tput sgr0 writes it, ESC7).
 * Each scan stops at the next ESC, so no character is read for more than one.
 */
function sequenceLength(text: string, i: number): number {
  const kind = text.charCodeAt(i + 1);
  let j = i + 2;
  if (kind === 91) {
    while (within(text.charCodeAt(j), 0x30, 0x3f)) j++;
    while (within(text.charCodeAt(j), 0x20, 0x2f)) j++;
    return within(text.charCodeAt(j), 0x40, 0x7e) ? j + 1 - i : 0;
  }
  if (kind === 93 || kind === 80 || kind === 88 || kind === 94 || kind === 95) {
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === BEL) return j + 1 - i;
      if (c === ESC) return text.charCodeAt(j + 1) === BACKSLASH ? j + 2 - i : 0;
    }
    return 0;
  }
  j = i + 1;
  while (within(text.charCodeAt(j), 0x20, 0x2f)) j++;
  return within(text.charCodeAt(j), 0x30, 0x7e) ? j + 1 - i : 0;
}

/**
 * What the escape at `i` stands for and the escape's length, when it is one the view decodes: a
 * character ('' for a terminal's sequence, which stands for none).
 */
function escapeAt(text: string, i: number): { char: string; length: number } | undefined {
  const c = text.charCodeAt(i);
  if (c === ESC) {
    const length = sequenceLength(text, i);
    return length === 0 ? undefined : { char: '', length };
  }
  if (c === AMPERSAND) {
    const reference = referenceAt(text, i);
    // Any printable ASCII: markup escapes the quotes, "&" and "<>" that members, queries and tags are read by.
    return reference && within(reference.code, 0x21, 0x7e) ? { char: String.fromCharCode(reference.code), length: reference.length } : undefined;
  }
  let code = -1;
  let length = 0;
  if (c === PERCENT && i + 2 < text.length) {
    const high = hexValue(text.charCodeAt(i + 1));
    const low = hexValue(text.charCodeAt(i + 2));
    if (high >= 0 && low >= 0) [code, length] = [high * 16 + low, 3];
  } else if (c === BACKSLASH && text.charCodeAt(i + 1) === 47) [code, length] = [47, 2];
  else if (c === BACKSLASH && text.charCodeAt(i + 1) === 117 && i + 5 < text.length) {
    let value = 0;
    for (let k = 2; k < 6 && value >= 0; k++) {
      const h = hexValue(text.charCodeAt(i + k));
      value = h < 0 ? -1 : value * 16 + h;
    }
    if (value >= 0) [code, length] = [value, 6];
  }
  if (code < 0 || code > 127) return undefined;
  const char = String.fromCharCode(code);
  return TOKEN_CHAR.test(char) ? { char, length } : undefined;
}

export interface DecodedView {
  text: string;
  /** For each offset of the view (and its end), the offset in the text it came from. */
  from: Int32Array;
}

/** `text` with its escapes of secret characters decoded and its terminal sequences removed, or undefined when it has none. */
export function decodedView(text: string): DecodedView | undefined {
  const candidates = new Candidates(text);
  let out = '';
  const from = new Int32Array(text.length + 1);
  let n = 0;
  let copied = 0;
  // Where the sequences removed since the view's last character begin (-1: none). The next
  // character maps there: a span of the view takes in the sequences before its first character
  // and between its characters, not those after its last.
  let removed = -1;
  const copy = (to: number) => {
    if (copied === to) return;
    out += text.slice(copied, to);
    from[n++] = removed === -1 ? copied : removed;
    removed = -1;
    for (let i = copied + 1; i < to; i++) from[n++] = i;
  };
  let next = candidates.from(0);
  while (next !== -1) {
    const escape = escapeAt(text, next);
    if (escape) {
      copy(next);
      if (escape.char === '') {
        if (removed === -1) removed = next;
      } else {
        out += escape.char;
        from[n++] = removed === -1 ? next : removed;
        removed = -1;
      }
      copied = next + escape.length;
    }
    next = candidates.from(escape ? copied : next + 1);
  }
  if (copied === 0) return undefined;
  copy(text.length);
  from[n++] = removed === -1 ? text.length : removed;
  return { text: out, from: from.subarray(0, n) };
}

/**
 * Characters read around each decoded escape: a secret that holds one, and the name before it
 * (AccountKey=, "password":), lie within this of it, or within a run of escapes.
 */
const CONTEXT = 1024;

/** The stretches [start, end) of `text` around its decodable escapes, escapes closer than twice CONTEXT in one. */
export function escapedRegions(text: string): [number, number][] {
  const regions: [number, number][] = [];
  const candidates = new Candidates(text);
  for (let at = candidates.from(0); at !== -1; ) {
    const escape = escapeAt(text, at);
    if (!escape) {
      at = candidates.from(at + 1);
      continue;
    }
    const start = Math.max(0, at - CONTEXT);
    const end = Math.min(text.length, at + escape.length + CONTEXT);
    const last = regions[regions.length - 1];
    if (last && start <= last[1]) last[1] = end;
    else regions.push([start, end]);
    at = candidates.from(at + escape.length);
  }
  return regions;
}

const STARTS = ['%', '\\', '&', '\u001b'];

/** The next character an escape starts with, from an offset, offsets ascending: each character is searched once per kind. */
class Candidates {
  private readonly next = STARTS.map(() => -2);
  constructor(private readonly text: string) {}

  from(at: number): number {
    let first = -1;
    for (let k = 0; k < STARTS.length; k++) {
      let found = this.next[k]!;
      if (found !== -1 && found < at) found = this.next[k] = this.text.indexOf(STARTS[k]!, at);
      if (found !== -1 && (first === -1 || found < first)) first = found;
    }
    return first;
  }
}

/**
 * A detector that also reads, decoded, the stretches of a text around its escapes (escapedRegions,
 * decodedView), its findings there mapped back: a body with one escaped link is read twice over
 * a few KB, not whole.
 */
export class DecodingDetector implements Detector {
  readonly holdLimit: number;

  constructor(private readonly base: Detector) {
    this.holdLimit = base.holdLimit;
  }

  detect(text: string): Span[] {
    // Through the base's own detect when there is nothing to decode: it remembers short clean texts.
    const regions = escapedRegions(text);
    return regions.length === 0 ? this.base.detect(text) : this.withRegions(text, false, regions).spans;
  }

  analyze(text: string, withHold: boolean): Analysis {
    return this.withRegions(text, withHold, escapedRegions(text));
  }

  private withRegions(text: string, withHold: boolean, regions: [number, number][]): Analysis {
    const analysis = this.base.analyze(text, withHold);
    if (regions.length === 0) return analysis;
    const found: Span[] = [];
    let holdFrom = analysis.holdFrom;
    for (const [start, end] of regions) {
      const view = decodedView(text.slice(start, end))!;
      // Only the stretch at the text's end may hold a finding that later text completes.
      const atEnd = withHold && end === text.length;
      const decoded = this.base.analyze(view.text, atEnd);
      // A span of the view covers the escapes its characters came from.
      for (const s of decoded.spans) found.push({ ...s, start: start + view.from[s.start]!, end: start + view.from[s.end]! });
      if (atEnd && decoded.holdFrom < view.text.length) holdFrom = Math.min(holdFrom, start + view.from[decoded.holdFrom]!);
    }
    return { spans: found.length === 0 ? analysis.spans : merge(text, [...analysis.spans, ...found]), holdFrom };
  }
}
