// Base64 in text: a secret encoded so that no rule sees it, as an agent's command prints it
// (`base64 ~/.aws/credentials`, `cat .env | base64`, `echo $TOKEN | base64`, PowerShell's
// ToBase64String of UTF-16) or a prompt carries it. Runs of base64 characters long enough to hold
// a secret are decoded, and where they decode to text (UTF-8, UTF-16LE, or Latin-1 that is mostly
// ASCII) the rules read that text; a finding there masks the characters that encode
// it, so that the run no longer decodes to any of the secret. Lines wrapped at a width (76 for
// base64(1), 64 for PEM and certutil, 60 for GitHub's API; real line breaks or JSON's `\n`, behind
// a gutter or not: indentation, line numbers, a diff's `+`) are read as one run.
//
// Runs are found by looking at every MIN_RUN-th character only: a run at least that long holds one
// of them, and most text is ruled out a character in MIN_RUN. A run's groups of four need not
// start with it (a character of the text before may be glued on: an ANSI colour's `m`, `2B` of a
// `%2B`, the rest of a run cut earlier in a stream): each of the four offsets is tried, cheaply ruled out
// by the first bytes it decodes to.
import { Buffer } from 'node:buffer';
import type { Analysis, Detector } from './core.js';
import { isText, SEXTET } from './base64.js';
import { merge } from './engine.js';
import { PEM_HOLD_LIMIT, WholeKeyBlocks } from './pem-blocks.js';
import type { Span } from './rule.js';

/** Shortest run decoded: 18 bytes, as short as an access key id with a few characters around it. */
const MIN_RUN = 24;
/** Line widths read as wrapping: base64(1) and MIME wrap at 76, PEM, openssl and certutil at 64, GitHub at 60. */
const MIN_WIDTH = 40;
const MAX_WIDTH = 256;
/** A finding in decoded text gives way to one the rules made in the text as written (the same key block, named as found there). */
const DECODED_ORDER = Number.MAX_SAFE_INTEGER;

/**
 * Base64's characters, both alphabets, by kind: a run of text's base64 has letters of both cases
 * (a path, a hex digest, a kebab-case name has no upper-case one; upper-case hex, .NET's dashed
 * hex and SQL Server's varbinary no lower-case one), and one alphabet (`+/` or `-_`, not both: a
 * URL's path has `/` and `-`). `=` pads a run's end only.
 */
const UPPER = 1;
const LOWER = 2;
const STANDARD = 4;
const URL_SAFE = 8;
const DIGIT = 16;
const KIND = (() => {
  const table = new Uint8Array(128);
  const set = (chars: string, kind: number) => {
    for (const c of chars) table[c.charCodeAt(0)] = kind;
  };
  set('ABCDEFGHIJKLMNOPQRSTUVWXYZ', UPPER);
  set('abcdefghijklmnopqrstuvwxyz', LOWER);
  set('0123456789', DIGIT);
  set('+/', STANDARD);
  set('-_', URL_SAFE);
  return table;
})();
const isRunChar = (c: number) => c < 128 && KIND[c] !== 0;
/** Letters of the JSON escapes of a line break, a tab and the like. */
const ESCAPE_LETTERS = new Set('nrtbf'.split('').map((c) => c.charCodeAt(0)));
/** What may follow a wrapped run's last line on its own line: a quote or a bracket closing it. */
const CLOSERS = new Set('"\'`<>)]},;'.split('').map((c) => c.charCodeAt(0)));

/** One run of base64 read as a whole: its lines' stretches of the text, joined. */
interface Run {
  start: number;
  end: number;
  /** Of a wrapped run, the offset in the text of each line's first character, and its length. */
  lines?: { starts: number[]; lengths: number[] };
  /** Its last line is as wide as its lines: another may follow. */
  open: boolean;
}

/** Length of the line break at `i` (a real one, or JSON's escape), 0 when none. */
function lineBreakAt(text: string, i: number): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (c === 10) return 1;
  if (c === 13) return text.charCodeAt(i + 1) === 10 ? 2 : 0;
  if (c !== 92) return 0;
  const next = text.charCodeAt(i + 1);
  if (next === 110) return 2;
  return next === 114 && text.charCodeAt(i + 2) === 92 && text.charCodeAt(i + 3) === 110 ? 4 : 0;
}

const LINE_BREAKS = ['\r\n', '\\r\\n', '\\n'];
/** Whether the text from `i` is the start of a line break that later text may complete. */
const breakBegins = (text: string, i: number) => text.length - i < 4 && LINE_BREAKS.some((form) => form.startsWith(text.slice(i)));

/** Whether a wrapped run's line may end at `i`: the text ends, a line breaks, or the run is closed. */
const endsLine = (text: string, i: number) => lineBreakAt(text, i) > 0 || CLOSERS.has(text.charCodeAt(i)) || breakBegins(text, i);

/**
 * A line's gutter before wrapped base64: indentation (a YAML block scalar), a quoted mail's `>`, a
 * line number as `cat -n`, `grep -n` and an agent's file-reading tool print it (`    12\t`,
 * `12:`, `    12→`).
 */
const GUTTER = /[ \t>]{0,32}(?:\d{1,9}[\t\u2192:|] ?)?/y;
/** The start of a gutter (and a diff's marker) that later text may complete. */
const GUTTER_BEGINS = /^[ \t>]{0,32}(?:\d{1,9}(?:[\t\u2192:|] ?)?)?[+-]?$/;
/** Diff markers: `+` and `-` are base64's too, so one is the diff's only before a line one character too long. */
const PLUS = 43;
const MINUS = 45;

/** Offset after the gutter at `i`, and after `marker` (a diff's) if the line has it. */
function afterGutter(text: string, i: number, marker: number): number {
  GUTTER.lastIndex = i;
  GUTTER.exec(text);
  const at = GUTTER.lastIndex;
  return marker !== -1 && text.charCodeAt(at) === marker ? at + 1 : at;
}

/** Whether another line of a wrapped run may still come after `i`, where its last line ends: only a line break and a gutter follow. */
function lineMayFollow(text: string, i: number): boolean {
  const br = lineBreakAt(text, i);
  return br === 0 ? breakBegins(text, i) : text.length - (i + br) <= 48 && GUTTER_BEGINS.test(text.slice(i + br));
}

/** Whether `line` (its gutter aside) may be one of the lines of wrapped base64, another to follow. */
export function mayBeWrappedLine(line: string): boolean {
  let at = afterGutter(line, 0, -1);
  const first = line.charCodeAt(at);
  if ((first === PLUS || first === MINUS) && (line.length - at) % 4 === 1) at++;
  const width = line.length - at;
  return width >= MIN_WIDTH && width <= MAX_WIDTH && width % 4 === 0 && runEnd(line, at) === line.length && line.charCodeAt(line.length - 1) !== 61;
}

/** Whether `i` starts a line (of the text, or of a JSON string). */
const atLineStart = (text: string, i: number) => i === 0 || text.charCodeAt(i - 1) === 10 || text.charCodeAt(i - 1) === 13 || (i >= 2 && text.charCodeAt(i - 2) === 92 && text.charCodeAt(i - 1) === 110);

const NOT_TEXT = 0;
const TEXT = 1;
/** Both alphabets: a URL's path with a run of base64url in it, split at its `/`. */
const MIXED = 2;

/** Whether text[start, end) may be text's base64, by the kinds of its characters: a few letters of each case (`0x` before upper-case hex is one), one alphabet. */
function mayBeText(text: string, start: number, end: number): number {
  let kinds = 0;
  let upper = 0;
  let lower = 0;
  for (let i = start; i < end; i++) {
    const kind = KIND[text.charCodeAt(i)]!;
    kinds |= kind;
    if (kind === UPPER) upper++;
    else if (kind === LOWER) lower++;
  }
  if (upper < 2 || lower < 2) return NOT_TEXT;
  return (kinds & (STANDARD | URL_SAFE)) === (STANDARD | URL_SAFE) ? MIXED : TEXT;
}

/** End of the stretch of base64 characters from `i`, with up to two `=` of padding. */
function runEnd(text: string, i: number): number {
  while (i < text.length && isRunChar(text.charCodeAt(i))) i++;
  for (let pad = 0; pad < 2 && i < text.length && text.charCodeAt(i) === 61; pad++) i++;
  return i;
}

/** The runs of `text` at least MIN_RUN long, wrapped lines joined, in text order. */
export function base64Runs(text: string): Run[] {
  const runs: Run[] = [];
  const length = text.length;
  let floor = 0;
  // Kept small: most samples land in a short word, and only a long stretch is looked at further (addRun).
  for (let i = MIN_RUN - 1; i < length; i += MIN_RUN) {
    if (!isRunChar(text.charCodeAt(i))) continue;
    let start = i;
    while (start > floor && isRunChar(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < length && isRunChar(text.charCodeAt(end))) end++;
    // Padding may make up two characters of a run.
    floor = i = end - start >= MIN_RUN - 2 ? addRun(text, start, end, runs) : end;
  }
  return runs;
}

/** Adds the run (or runs) the stretch of base64 characters text[start, end) holds; returns where the next may start. */
function addRun(text: string, start: number, end: number, runs: Run[]): number {
  const stretchEnd = end;
  // A JSON escape's letter (`\n`, `\t`) is not the run's.
  if (start > 0 && text.charCodeAt(start - 1) === 92 && ESCAPE_LETTERS.has(text.charCodeAt(start))) start++;
  for (let pad = 0; pad < 2 && end < text.length && text.charCodeAt(end) === 61; pad++) end++;
  // A diff's `+` or `-` before a line of base64 (one character too many for its groups of four).
  let marker = text.charCodeAt(start);
  if ((marker === PLUS || marker === MINUS) && (end - start) % 4 === 1 && atLineStart(text, start)) start++;
  else marker = -1;
  if (end - start < MIN_RUN) return stretchEnd;
  const kind = mayBeText(text, start, end);
  if (kind === MIXED) {
    for (let from = start, to = text.indexOf('/', start); from < end; from = to + 1, to = text.indexOf('/', from)) {
      if (to === -1 || to > end) to = end;
      if (to - from >= MIN_RUN && mayBeText(text, from, to) === TEXT) runs.push({ start: from, end: to, open: false });
    }
  }
  if (kind !== TEXT) return stretchEnd;
  const run: Run = { start, end, open: false };
  // Lines of one width, each on a line of its own, the last no wider: one run.
  const width = end - start;
  let wrapped = width >= MIN_WIDTH && width <= MAX_WIDTH && width % 4 === 0 && text.charCodeAt(end - 1) !== 61;
  for (let br = lineBreakAt(text, end); wrapped && br > 0; br = lineBreakAt(text, end)) {
    const next = afterGutter(text, end + br, marker);
    const nextEnd = runEnd(text, next);
    const lineLength = nextEnd - next;
    if (lineLength === 0 || lineLength > width || !endsLine(text, nextEnd)) break;
    run.lines ??= { starts: [start], lengths: [width] };
    run.lines.starts.push(next);
    run.lines.lengths.push(lineLength);
    end = nextEnd;
    if (lineLength < width || text.charCodeAt(end - 1) === 61) wrapped = false;
  }
  run.end = end;
  run.open = wrapped;
  runs.push(run);
  return end;
}

/**
 * A detector that also reads the text that runs of base64 encode (base64Runs), its findings
 * there masked as the characters that encode them.
 */
export class Base64Detector implements Detector {
  /** A stream holds a run up to a key block's length: the base64 of a key must be read whole. */
  readonly holdLimit: number;
  /** Decoded text is read with key blocks whole, as the text as written is. */
  private readonly decodedDetector: Detector;

  constructor(private readonly base: Detector) {
    this.holdLimit = Math.max(base.holdLimit, PEM_HOLD_LIMIT);
    this.decodedDetector = new WholeKeyBlocks(base);
  }

  detect(text: string): Span[] {
    // Through the base's own detect when there is nothing to decode: it remembers short clean texts.
    if (text.length < MIN_RUN) return this.base.detect(text);
    const runs = base64Runs(text);
    if (runs.length === 0) return this.base.detect(text);
    const spans = this.base.detect(text);
    const found = this.decoded(text, runs);
    return found.length === 0 ? spans : merge(text, [...spans, ...found]);
  }

  analyze(text: string, withHold: boolean): Analysis {
    const analysis = this.base.analyze(text, withHold);
    // The base holds no more than its own limit; only a run of base64 is held up to this one's.
    let holdFrom = withHold ? Math.max(analysis.holdFrom, text.length - this.base.holdLimit) : analysis.holdFrom;
    if (text.length < MIN_RUN) return { spans: analysis.spans, holdFrom };
    const runs = base64Runs(text);
    if (runs.length === 0) return { spans: analysis.spans, holdFrom };
    // A run that reaches the end may go on, and so may wrapped lines whose last is whole.
    const last = runs[runs.length - 1]!;
    if (withHold && (last.end === text.length || (last.open && lineMayFollow(text, last.end)))) {
      holdFrom = Math.min(holdFrom, last.start);
    }
    const found = this.decoded(text, runs);
    return { spans: found.length === 0 ? analysis.spans : merge(text, [...analysis.spans, ...found]), holdFrom };
  }

  /**
   * The findings in what `runs` decode to, as spans of the characters that encode them. The texts
   * are read in one pass, a line apart: a text of many short runs costs one detection, not one each.
   */
  private decoded(text: string, runs: Run[]): Span[] {
    const parts: Decoded[] = [];
    for (const run of runs) {
      const part = decodedRun(text, run);
      if (part) parts.push(part);
    }
    if (parts.length === 0) return [];
    const spans = this.decodedDetector.detect(parts.length === 1 ? parts[0]!.text : parts.map((part) => part.text).join('\n'));
    const found: Span[] = [];
    let first = 0;
    let offset = 0;
    for (const span of spans) {
      // Spans come in text order: parts ending before this one end before the next.
      while (first < parts.length && offset + parts[first]!.text.length <= span.start) offset += parts[first++]!.text.length + 1;
      for (let k = first, at = offset; k < parts.length && at < span.end; at += parts[k++]!.text.length + 1) {
        const part = parts[k]!;
        const from = Math.max(span.start - at, 0);
        const to = Math.min(span.end - at, part.text.length);
        if (from < to) found.push({ start: part.textOffset(part.charAt(part.byteAt(from), true)), end: part.textOffset(part.charAt(part.byteAt(to), false) - 1) + 1, rule: span.rule, replacement: { kind: 'full' }, order: DECODED_ORDER });
      }
    }
    return found;
  }
}

/** Decoding goes through this buffer: a text of many runs allocates none for each. */
const SCRATCH = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH);
/** Bytes the first characters tried at an offset decode to, for a cheap look before decoding it all. */
const head = new Uint8Array(12);

/**
 * What a run decodes to, when that is text, and how to find the characters that encode a stretch
 * of it: each group of four encodes three bytes, so the groups that hold a finding's bytes cover it.
 */
class Decoded {
  /** The last offset asked for, and the bytes before it. */
  private char = 0;
  private byte = 0;
  private lineEnds?: number[];

  constructor(
    readonly text: string,
    private readonly run: Run,
    /** The run's characters, its lines joined, and where its groups of four start. */
    private readonly encoded: string,
    private readonly skip: number,
    /** Bytes decoded before the text's first (the rest of a character cut off). */
    private readonly first: number,
    /** Bytes per character of the text: 1 (ASCII, Latin-1), 2 (UTF-16), 0 (UTF-8, counted). */
    private readonly width: 0 | 1 | 2,
  ) {}

  /** Bytes before the text's offset `at`; offsets are asked for in ascending order, mostly. */
  byteAt(at: number): number {
    if (this.width !== 0) return this.first + at * this.width;
    if (at < this.char) this.char = this.byte = 0;
    this.byte += Buffer.byteLength(this.text.slice(this.char, at));
    this.char = at;
    return this.first + this.byte;
  }

  /** The joined run's offset of the group that holds byte `byte` (start), or ends after it (end). */
  charAt(byte: number, start: boolean): number {
    return start ? this.skip + Math.floor(byte / 3) * 4 : Math.min(this.encoded.length, this.skip + Math.ceil(byte / 3) * 4);
  }

  /** The text offset of the joined run's offset `at`. */
  textOffset(at: number): number {
    const lines = this.run.lines;
    if (!lines) return this.run.start + at;
    if (!this.lineEnds) {
      let sum = 0;
      this.lineEnds = lines.lengths.map((length) => (sum += length));
    }
    // The first line that ends after `at`.
    let low = 0;
    let high = this.lineEnds.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.lineEnds[mid]! > at) high = mid;
      else low = mid + 1;
    }
    return lines.starts[low]! + at - (this.lineEnds[low]! - lines.lengths[low]!);
  }
}

/** Whether bytes[from, to) are UTF-8 but for a character cut at either end. */
function utf8Window(bytes: Uint8Array, from: number, to: number): boolean {
  let i = from;
  while (i < from + 3 && i < to && (bytes[i]! & 0xc0) === 0x80) i++;
  while (i < to) {
    const b = bytes[i++]!;
    if (b < 0x80) continue;
    const more = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (more < 0) return false;
    for (let k = 0; k < more && i < to; k++) if ((bytes[i++]! & 0xc0) !== 0x80) return false;
  }
  return true;
}

/** Sextets of a run's first characters, read once for the four offsets tried. */
const sextets = new Int8Array(19);

/** Reads the sextets of `encoded`'s first characters; how many there are (fewer: a character not base64's, or a short run). */
function readSextets(encoded: string): number {
  const n = Math.min(encoded.length, sextets.length);
  for (let i = 0; i < n; i++) {
    const c = encoded.charCodeAt(i);
    const sextet = c < 128 ? SEXTET[c]! : -1;
    if (sextet < 0) return i;
    sextets[i] = sextet;
  }
  return n;
}

/**
 * Whether the characters from `skip` may decode to the start of text, by the 12 bytes their first
 * 16 encode (readSextets): UTF-16 (zeros in every other byte), or no zero, a control at most, and
 * mostly printable ASCII or else UTF-8. Of random ids and binary, few pass: each is ruled out
 * without decoding it all, most by their first bytes.
 */
function mayDecodeToText(read: number, skip: number): boolean {
  if (read - skip < 16) return true;
  let zeros = 0;
  let controls = 0;
  let ascii = 0;
  for (let g = 0; g < 4; g++) {
    const at = skip + g * 4;
    const quad = (sextets[at]! << 18) | (sextets[at + 1]! << 12) | (sextets[at + 2]! << 6) | sextets[at + 3]!;
    for (let k = 0; k < 3; k++) {
      const b = (quad >>> (16 - 8 * k)) & 255;
      head[g * 3 + k] = b;
      if (b === 0) zeros++;
      else if ((b < 32 && b !== 9 && b !== 10 && b !== 13) || b === 127) controls++;
      else if (b < 127) ascii++;
    }
    // Neither UTF-16 (a zero every other byte) nor text with a control at most.
    if (controls > 1 || (zeros > 0 && zeros < g + 1)) return false;
  }
  if (zeros >= 5) return true;
  return zeros === 0 && (ascii >= 9 || utf8Window(head, 0, head.length));
}

/** What `run` decodes to, when that is text. */
function decodedRun(text: string, run: Run): Decoded | undefined {
  const lines = run.lines;
  const joined = lines ? lines.starts.map((at, k) => text.slice(at, at + lines.lengths[k]!)).join('') : text.slice(run.start, run.end);
  // A wrapped run's lines start its groups; a line alone may have a character glued on before.
  const skips = lines ? 1 : 4;
  const read = readSextets(joined);
  for (let skip = 0; skip < skips; skip++) {
    if (!mayDecodeToText(read, skip)) continue;
    const found = decodedText(run, joined, skip);
    if (found) return found;
  }
  // Lines that wrap, and then one that only looked like the last of them.
  if (!lines) return undefined;
  const kept = lines.starts.length - 1;
  const end = lines.starts[kept - 1]! + lines.lengths[kept - 1]!;
  const shorter = kept === 1 ? { start: run.start, end, open: false } : { start: run.start, end, open: false, lines: { starts: lines.starts.slice(0, kept), lengths: lines.lengths.slice(0, kept) } };
  return decodedText(shorter, joined.slice(0, joined.length - lines.lengths[kept]!), 0);
}

function decodedText(run: Run, joined: string, skip: number): Decoded | undefined {
  const buffer = joined.length <= SCRATCH ? scratch : Buffer.allocUnsafe(joined.length);
  const length = buffer.write(skip === 0 ? joined : joined.slice(skip), 'base64');
  if (length < (MIN_RUN / 4) * 3 - 2) return undefined;
  // The rest of a run cut earlier (a stream's, a slice's) may start or end inside a character:
  // those bytes are not read.
  let from = 0;
  while (from < 3 && (buffer[from]! & 0xc0) === 0x80) from++;
  let to = length;
  for (let k = 1; k <= 3 && to - k > from; k++) {
    const b = buffer[to - k]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0 && k < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2)) to -= k;
    break;
  }
  // Decoded as UTF-8 without a check first (a view to check costs as much): a byte that is not
  // UTF-8's becomes U+FFFD, and the bytes are read otherwise.
  const utf8 = buffer.toString('utf8', from, to);
  if (!utf8.includes('\ufffd') && isText(utf8)) return new Decoded(utf8, run, joined, skip, from, utf8.length === to - from ? 1 : 0);
  // PowerShell's [Text.Encoding]::Unicode: UTF-16LE, a zero after each ASCII character (UTF-8 too,
  // but not text), or before it when a cut run starts on a character's second byte.
  let odd = 0;
  let even = 0;
  for (let i = 0; i + 1 < length; i += 2) {
    if (buffer[i + 1] === 0) odd++;
    if (buffer[i] === 0) even++;
  }
  if (Math.max(odd, even) * 4 >= length) {
    const start = even > odd ? 1 : 0;
    const decoded = buffer.toString('utf16le', start, start + ((length - start) & ~1));
    return isText(decoded) ? new Decoded(decoded, run, joined, skip, start, 2) : undefined;
  }
  // A legacy code page (Windows-1252): read a byte a character, when most of them are printable
  // ASCII (of random bytes, about a third are).
  let ascii = 0;
  for (let i = 0; i < length; i++) if ((buffer[i]! >= 32 && buffer[i]! < 127) || buffer[i] === 10 || buffer[i] === 9 || buffer[i] === 13) ascii++;
  if (ascii * 4 < length * 3) return undefined;
  const decoded = buffer.toString('latin1', 0, length);
  return isText(decoded) ? new Decoded(decoded, run, joined, skip, 0, 1) : undefined;
}
