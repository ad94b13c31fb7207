// Base64 in text: a secret encoded so that no rule sees it, as an agent's command prints it
// (`base64 ~/.aws/credentials`, `cat .env | base64`, `echo $TOKEN | base64`) or a prompt carries
// it. Runs of base64 characters long enough to hold a secret are decoded, and where they decode to
// text the rules read that text; a finding there masks the characters that encode it, so that the
// run no longer decodes to any of the secret. Lines wrapped at a width (76 for base64(1), 64 for
// PEM, 60 for GitHub's API; as real line breaks or as JSON's `\n`) are read as one run.
//
// Runs are found by looking at every MIN_RUN-th character only: a run at least that long holds one
// of them, and most text is ruled out a character in MIN_RUN. A run that starts where the text
// starts may be the rest of one cut earlier (a stream's next piece, a slice of a long body), whose
// groups of four need not start with it: each offset is tried.
import { Buffer, isUtf8 } from 'node:buffer';
import type { Analysis, Detector } from './core.js';
import { isText } from './base64.js';
import { merge } from './engine.js';
import type { Span } from './rule.js';

/** Shortest run decoded: 18 bytes, as short as an access key id with a few characters around it. */
const MIN_RUN = 24;
/** Line widths read as wrapping: base64(1) and MIME wrap at 76, PEM and openssl at 64, GitHub at 60. */
const MIN_WIDTH = 40;
const MAX_WIDTH = 128;
/** A finding in decoded text gives way to one the rules made in the text as written (the same key block, named as found there). */
const DECODED_ORDER = Number.MAX_SAFE_INTEGER;

/**
 * Base64's characters, both alphabets, by kind: a run of text's base64 has an upper-case letter
 * (a path, a hex digest, a kebab-case name has none), and one alphabet (`+/` or `-_`, not both: a
 * URL's path has `/` and `-`). `=` pads a run's end only.
 */
const UPPER = 1;
const OTHER = 2;
const STANDARD = 4;
const URL_SAFE = 8;
const KIND = (() => {
  const table = new Uint8Array(128);
  const set = (chars: string, kind: number) => {
    for (const c of chars) table[c.charCodeAt(0)] = kind;
  };
  set('ABCDEFGHIJKLMNOPQRSTUVWXYZ', UPPER);
  set('abcdefghijklmnopqrstuvwxyz0123456789', OTHER);
  set('+/', STANDARD);
  set('-_', URL_SAFE);
  return table;
})();
const isRunChar = (c: number) => c < 128 && KIND[c] !== 0;

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
  const c = text.charCodeAt(i);
  if (c === 10) return 1;
  if (c === 13) return text.charCodeAt(i + 1) === 10 ? 2 : 0;
  if (c !== 92) return 0;
  const next = text.charCodeAt(i + 1);
  if (next === 110) return 2;
  return next === 114 && text.charCodeAt(i + 2) === 92 && text.charCodeAt(i + 3) === 110 ? 4 : 0;
}

/** Whether text[start, end) may be text's base64, by the kinds of its characters. */
function mayBeText(text: string, start: number, end: number): boolean {
  let kinds = 0;
  for (let i = start; i < end; i++) {
    kinds |= KIND[text.charCodeAt(i)]!;
    if ((kinds & (STANDARD | URL_SAFE)) === (STANDARD | URL_SAFE)) return false;
  }
  return (kinds & UPPER) !== 0;
}

/** End of the stretch of base64 characters from `i`, with up to two `=` of padding. */
function runEnd(text: string, i: number): number {
  while (i < text.length && isRunChar(text.charCodeAt(i))) i++;
  for (let pad = 0; pad < 2 && text.charCodeAt(i) === 61; pad++) i++;
  return i;
}

/** The runs of `text` at least MIN_RUN long, wrapped lines joined, in text order. */
export function base64Runs(text: string): Run[] {
  const runs: Run[] = [];
  const length = text.length;
  let floor = 0;
  for (let i = MIN_RUN - 1; i < length; i += MIN_RUN) {
    let c = text.charCodeAt(i);
    if (c >= 128 || KIND[c] === 0) continue;
    let start = i;
    while (start > floor) {
      c = text.charCodeAt(start - 1);
      if (c >= 128 || KIND[c] === 0) break;
      start--;
    }
    let end = i + 1;
    while (end < length) {
      c = text.charCodeAt(end);
      if (c >= 128 || KIND[c] === 0) break;
      end++;
    }
    floor = end;
    i = end;
    if (end - start < MIN_RUN || !mayBeText(text, start, end)) continue;
    for (let pad = 0; pad < 2 && text.charCodeAt(end) === 61; pad++) end++;
    const run: Run = { start, end, open: false };
    // Lines of one width, the last no wider: one run.
    const width = end - start;
    let wrapped = width >= MIN_WIDTH && width <= MAX_WIDTH && width % 4 === 0 && text.charCodeAt(end - 1) !== 61;
    for (let br = lineBreakAt(text, end); wrapped && br > 0; br = lineBreakAt(text, end)) {
      const next = end + br;
      const nextEnd = runEnd(text, next);
      const lineLength = nextEnd - next;
      if (lineLength === 0 || lineLength > width) break;
      run.lines ??= { starts: [start], lengths: [width] };
      run.lines.starts.push(next);
      run.lines.lengths.push(lineLength);
      end = nextEnd;
      if (lineLength < width || text.charCodeAt(end - 1) === 61) wrapped = false;
    }
    run.end = end;
    run.open = wrapped;
    floor = i = end;
    runs.push(run);
  }
  return runs;
}

/**
 * A detector that also reads the text that runs of base64 encode (base64Runs), its findings
 * there masked as the characters that encode them.
 */
export class Base64Detector implements Detector {
  readonly holdLimit: number;

  constructor(private readonly base: Detector) {
    this.holdLimit = base.holdLimit;
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
    if (text.length < MIN_RUN) return analysis;
    const runs = base64Runs(text);
    if (runs.length === 0) return analysis;
    let holdFrom = analysis.holdFrom;
    // A run that reaches the end may go on, and so may wrapped lines whose last is whole.
    const last = runs[runs.length - 1]!;
    if (withHold && (last.end === text.length || (last.open && last.end + lineBreakAt(text, last.end) === text.length))) holdFrom = Math.min(holdFrom, last.start);
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
    const spans = this.base.detect(parts.length === 1 ? parts[0]!.text : parts.map((part) => part.text).join('\n'));
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
        if (from < to) found.push({ start: encodingOf(part, from, true), end: encodingOf(part, to, false), rule: span.rule, replacement: { kind: 'full' }, order: DECODED_ORDER });
      }
    }
    return found;
  }
}

/** What a run decodes to, and how: from which of its characters, one byte a character or not. */
interface Decoded {
  text: string;
  run: Run;
  /** The run's characters, its lines joined. */
  encoded: string;
  skip: number;
  ascii: boolean;
}

/** Decoding goes through this buffer: a text of many runs allocates none for each. */
const SCRATCH = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH);

/** What `run` decodes to, when that is text. */
function decodedRun(text: string, run: Run): Decoded | undefined {
  const encoded = run.lines ? run.lines.starts.map((at, k) => text.slice(at, at + run.lines!.lengths[k]!)).join('') : text.slice(run.start, run.end);
  const buffer = encoded.length <= SCRATCH ? scratch : Buffer.allocUnsafe(encoded.length);
  // A line cut at the text's start may be any line's rest: its groups of four may start at any
  // of its first characters. (A wrapped line's width is a multiple of four.)
  const skips = run.start > 0 || run.lines ? 1 : 4;
  for (let skip = 0; skip < skips; skip++) {
    const length = buffer.write(skip === 0 ? encoded : encoded.slice(skip), 'base64');
    const bytes = buffer.subarray(0, length);
    if (length < (MIN_RUN / 4) * 3 - 2 || !isUtf8(bytes)) continue;
    const decoded = bytes.toString('utf8');
    if (isText(decoded)) return { text: decoded, run, encoded, skip, ascii: decoded.length === length };
  }
  return undefined;
}

/**
 * The text offset where the characters that encode the decoded text's offset `at` start (or,
 * for an end, end): each group of four encodes three bytes, so those of a finding's bytes cover it.
 */
function encodingOf(part: Decoded, at: number, start: boolean): number {
  const byte = part.ascii ? at : Buffer.byteLength(part.text.slice(0, at));
  const char = start ? part.skip + Math.floor(byte / 3) * 4 : Math.min(part.encoded.length, part.skip + Math.ceil(byte / 3) * 4);
  return start ? textOffset(part.run, char) : textOffset(part.run, char - 1) + 1;
}

/** The text offset of the joined run's offset `at`. */
function textOffset(run: Run, at: number): number {
  if (!run.lines) return run.start + at;
  const { starts, lengths } = run.lines;
  for (let k = 0; k < starts.length; k++) {
    if (at < lengths[k]!) return starts[k]! + at;
    at -= lengths[k]!;
  }
  return run.end;
}
