// Escapes that hide a secret from the rules in text: a JSON escape outside a JSON document
// (\u0067hp_… in a log line, \/ in a PHP API's base64) and percent-encoding (a connection string
// as a query parameter, AccountKey=…%2B…%3D%3D). Where a text holds such an escape of a character
// a secret is made of, the rules also read it decoded, and what they find there is masked in the
// text as written, escapes and all. A text without one costs a search for "%" and "\"; one with
// some, a second reading of the stretches around them.
import type { Analysis, Detector } from './core.js';
import { merge } from './engine.js';
import type { Span } from './rule.js';

/**
 * Characters a secret or its setting is made of (tokens, base64, URLs, connection strings, JSON's
 * punctuation): only their escapes are decoded. Not a space: %20 is in every other URL.
 */
const TOKEN_CHAR = /[A-Za-z0-9+/=_.:@;~"{}[\],-]/;

const hexValue = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);

/** The character the escape at `i` stands for and the escape's length, when it is one the view decodes. */
function escapeAt(text: string, i: number): { char: string; length: number } | undefined {
  const c = text.charCodeAt(i);
  let code = -1;
  let length = 0;
  if (c === 37 && i + 2 < text.length) {
    const high = hexValue(text.charCodeAt(i + 1));
    const low = hexValue(text.charCodeAt(i + 2));
    if (high >= 0 && low >= 0) [code, length] = [high * 16 + low, 3];
  } else if (c === 92 && text.charCodeAt(i + 1) === 47) [code, length] = [47, 2];
  else if (c === 92 && text.charCodeAt(i + 1) === 117 && i + 5 < text.length) {
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

/** `text` with its escapes of secret characters decoded, or undefined when it has none. */
export function decodedView(text: string): DecodedView | undefined {
  const candidates = new Candidates(text);
  let next = candidates.from(0);
  let out = '';
  const from = new Int32Array(text.length + 1);
  let n = 0;
  let copied = 0;
  while (next !== -1) {
    const escape = escapeAt(text, next);
    if (escape) {
      out += text.slice(copied, next) + escape.char;
      for (let i = copied; i < next; i++) from[n++] = i;
      from[n++] = next;
      copied = next + escape.length;
    }
    next = candidates.from(escape ? copied : next + 1);
  }
  if (copied === 0) return undefined;
  out += text.slice(copied);
  for (let i = copied; i <= text.length; i++) from[n++] = i;
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

/** The next "%" or "\\" from an offset, offsets ascending: each character is searched once. */
class Candidates {
  private percent = -2;
  private backslash = -2;
  constructor(private readonly text: string) {}

  from(at: number): number {
    if (this.percent !== -1 && this.percent < at) this.percent = this.text.indexOf('%', at);
    if (this.backslash !== -1 && this.backslash < at) this.backslash = this.text.indexOf('\\', at);
    return this.percent === -1 ? this.backslash : this.backslash === -1 ? this.percent : Math.min(this.percent, this.backslash);
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
      if (atEnd) holdFrom = Math.min(holdFrom, start + view.from[Math.min(decoded.holdFrom, view.text.length)]!);
    }
    return { spans: found.length === 0 ? analysis.spans : merge(text, [...analysis.spans, ...found]), holdFrom };
  }
}
