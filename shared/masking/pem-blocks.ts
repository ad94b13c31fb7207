// Private key blocks found by their BEGIN and END lines rather than by the rules' bounded regexes:
// a stream holds back from a BEGIN line until its END line arrives and then masks the block
// whole, whatever lies between (comments, blank lines, a body longer than the rules reach). A
// block whose END does not come within PEM_HOLD_LIMIT fails closed: what was held is masked, and
// so is everything after it up to an END line. A whole text's blocks are masked whole the same
// way (WholeKeyBlocks). A block's tail without its BEGIN line (tail -n of a key file, a paged
// read, the second of two content parts) is masked too: the key lines that end in an END line.
import type { Analysis, Detector } from './core.js';
import type { Span } from './rule.js';
import { isPlaceholderKeyBlock } from './rules/filters.js';

/** The most a stream holds back for one private key block (an RSA-16384 key is about 13 KB). */
export const PEM_HOLD_LIMIT = 64 * 1024;

const HEADER = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----/g;
const FOOTER = /-----END ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----/g;

const ruleOf = (type: string | undefined) => (type === 'OPENSSH ' ? 'openssh-private-key' : 'private-key');

export interface Blocks {
  /** Whole blocks (and, past the limit or at the end, unfinished ones) as spans to mask. */
  spans: Span[];
  /**
   * Where an unfinished block starts, or key lines an END line may yet end (text.length when
   * neither): nothing from here may go out yet.
   */
  holdFrom: number;
  /** The last span is an unfinished block masked to the end of the text: its rest is still to come. */
  open: boolean;
}

/**
 * The private key blocks of text[from, …). `inside`: the text starts inside a block already
 * masked, up to its END line. `final`: no more text will come, so an unfinished block is masked.
 */
export function privateKeyBlocks(text: string, from: number, inside: boolean, final: boolean): Blocks {
  const spans: Span[] = [];
  let at = from;
  if (inside) {
    // The END line may have begun in what already went out (the context before `from`).
    const end = footerEnd(text, 0, from);
    if (end === -1) return { spans: text.length > from ? [span(from, text.length, 'private-key')] : [], holdFrom: text.length, open: true };
    spans.push(span(from, end, 'private-key'));
    at = end;
  }
  HEADER.lastIndex = at;
  for (let m = HEADER.exec(text); m; m = HEADER.exec(text)) {
    tails(text, at, m.index, spans);
    const rule = ruleOf(m[1]);
    const end = footerEnd(text, m.index + m[0].length);
    if (end !== -1) {
      // A documentation example (a body of "...", <your key>) is left, as the rules leave it in a whole text.
      if (!isPlaceholderKeyBlock(text.slice(m.index, end))) spans.push(span(m.index, end, rule));
      HEADER.lastIndex = at = end;
      continue;
    }
    if (final) return { spans: [...spans, span(m.index, text.length, rule)], holdFrom: text.length, open: false };
    if (text.length - m.index > PEM_HOLD_LIMIT) return { spans: [...spans, span(m.index, text.length, rule)], holdFrom: text.length, open: true };
    return { spans, holdFrom: m.index, open: false };
  }
  tails(text, at, text.length, spans);
  return { spans, holdFrom: final ? text.length : tailHold(text), open: false };
}

/** The tails of blocks whose END line is in text[from, to): each from its first key line. */
function tails(text: string, from: number, to: number, spans: Span[]) {
  FOOTER.lastIndex = from;
  for (let m = FOOTER.exec(text); m && m.index < to; m = FOOTER.exec(text)) {
    const line = lineStart(text, m.index);
    if (line === -1 || !GUTTER.test(text.slice(line, m.index))) continue;
    const start = keyLinesAbove(text, line).start;
    if (start < line) spans.push(span(start, m.index + m[0].length, ruleOf(m[1])));
  }
}

/** A line's gutter: indentation, a quoted mail's ">", a line number as cat -n and grep -n print it. */
const GUTTER_SOURCE = '[ \\t>]{0,32}(?:\\d{1,9}[\\t\\u2192:|] ?)?';
const GUTTER = new RegExp(`^${GUTTER_SOURCE}$`);
/** Widest line read as a key's: twice its lines (64, OpenSSH's 70). */
const MAX_WIDTH = 128;
/** A line of a key's body behind a gutter: base64, or PGP armor's checksum (=XXXX). */
const KEY_LINE = new RegExp(`^(${GUTTER_SOURCE})=?[A-Za-z0-9+/]{1,${MAX_WIDTH}}={0,2}[ \\t]*$`);
/** Longest line read as a key's, its gutter and trailing blanks included. */
const MAX_LINE = 256;
/** A key line cut at its start (a paged read, the start of a quoted string) is read from this many base64 characters. */
const MIN_CUT_LINE = 16;
/**
 * A whole line as wide as a key's, letters of both cases in it (not a hex digest), makes a run
 * of lines a key's body before an END line has come.
 */
const KEY_WIDTH = 40;
const isWide = (line: string) => line.length >= KEY_WIDTH && /[A-Z]/.test(line) && /[a-z]/.test(line);

/** Length of the line break that ends at `i`: LF, CRLF, or JSON's \n and \r\n; 0 when none. */
function breakBefore(text: string, i: number): number {
  const c = text.charCodeAt(i - 1);
  if (c === 10) return text.charCodeAt(i - 2) === 13 ? 2 : 1;
  if (c !== 110 || text.charCodeAt(i - 2) !== 92) return 0;
  return text.charCodeAt(i - 3) === 114 && text.charCodeAt(i - 4) === 92 ? 4 : 2;
}

/** Start of the line `i` is in, or -1 when it starts more than MAX_LINE before `i`. */
function lineStart(text: string, i: number): number {
  const limit = Math.max(0, i - MAX_LINE);
  for (let at = i; at > limit; at--) if (breakBefore(text, at) > 0) return at;
  return limit === 0 ? 0 : -1;
}

const isBase64 = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 47 && c <= 57) || c === 43;

/**
 * The run of key lines above the line that starts at `line`: where it starts (`line` when there
 * is none), and whether a whole line of it is as wide as a key's (isWide). Its first line may be
 * cut short at its start.
 */
function keyLinesAbove(text: string, line: number): { start: number; wide: boolean } {
  let start = line;
  let wide = false;
  for (let at = line, br = breakBefore(text, at); br > 0; br = breakBefore(text, at)) {
    const end = at - br;
    at = lineStart(text, end);
    const key = at === -1 ? null : KEY_LINE.exec(text.slice(at, end));
    if (key) {
      // The run starts after its first line's gutter, as a stream that has sent the gutter on masks it.
      start = at + key[1]!.length;
      wide ||= isWide(text.slice(start, end));
      continue;
    }
    // A cut line is base64 to its end, no wider than a key's: a longer run is something else's.
    let cut = end;
    while (end - cut <= MAX_WIDTH && isBase64(text.charCodeAt(cut - 1))) cut--;
    if (end - cut >= MIN_CUT_LINE && end - cut <= MAX_WIDTH) start = cut;
    break;
  }
  return { start, wide };
}

/** The start of an END line, a gutter before it. */
const END_BEGINS = new RegExp(`^${GUTTER_SOURCE}(?:-{1,5}|-----E(?:N(?:D(?: [A-Z0-9 ]*-{0,4})?)?)?)$`);

/**
 * Where a block's tail may be ending, or text.length: key lines at the text's end and then the
 * start of an END line, or a line break after them when one is as wide as a key's. A stream
 * holds them until the END line comes or does not.
 */
function tailHold(whole: string): number {
  // A line break begun at the text's end (CRLF's CR, the backslash of JSON's \n) is read as come.
  const text = whole.endsWith('\r') ? whole + '\n' : whole.endsWith('\\') ? whole + 'n' : whole;
  const line = lineStart(text, text.length);
  if (line === -1) return whole.length;
  const last = text.slice(line);
  const begun = END_BEGINS.test(last);
  if (!begun && !GUTTER.test(last)) return whole.length;
  const run = keyLinesAbove(text, line);
  return run.start < line && (begun || run.wide) ? run.start : whole.length;
}

/** End of the first END line at or after `from` that ends after `after`, or -1. */
function footerEnd(text: string, from: number, after = from): number {
  FOOTER.lastIndex = from;
  for (let m = FOOTER.exec(text); m; m = FOOTER.exec(text)) if (m.index + m[0].length > after) return m.index + m[0].length;
  return -1;
}

const span = (start: number, end: number, rule: string): Span => ({ start, end, rule, replacement: { kind: 'full' }, order: -1 });

/** `spans` with `blocks` laid over them: a span touching a block is absorbed into it. Both sorted. */
export function withBlocks(spans: readonly Span[], blocks: readonly Span[]): Span[] {
  if (blocks.length === 0) return [...spans];
  const all = [...spans, ...blocks].sort((a, b) => a.start - b.start || a.order - b.order);
  const out: Span[] = [];
  for (const s of all) {
    const last = out.at(-1);
    if (last && s.start < last.end) {
      // Overlaps only ever involve a block: the union is masked as the block.
      const block = last.order === -1 ? last : s;
      out[out.length - 1] = { ...block, start: last.start, end: Math.max(last.end, s.end) };
    } else out.push(s);
  }
  return out;
}

/** An END line: V8 searches a text for this regex several times faster than for its literal start with indexOf. */
const ANY_FOOTER = new RegExp(FOOTER.source);

/** Rules whose match is the start of a private key block. */
const KEY_RULES = new Set(['private-key', 'openssh-private-key']);

/**
 * A detector whose findings in a whole text take in each private key block whole, as a stream's
 * do: the rules' match stops at their reach (MAX_SECRET_LENGTH), and the rest of a longer block
 * (an RSA-16384 key, about 13 KB) went through. Looked for only where a rule found a block's start.
 */
export class WholeKeyBlocks implements Detector {
  readonly holdLimit: number;

  constructor(private readonly base: Detector) {
    this.holdLimit = base.holdLimit;
  }

  detect(text: string): Span[] {
    const spans = this.base.detect(text);
    // A block's tail has no start for a rule to find: its END line is looked for.
    return spans.some((s) => KEY_RULES.has(s.rule)) || ANY_FOOTER.test(text) ? withBlocks(spans, privateKeyBlocks(text, 0, false, true).spans) : spans;
  }

  /** A stream's analysis: TextStreamMasker lays the blocks over it itself, held until they end. */
  analyze(text: string, withHold: boolean): Analysis {
    return this.base.analyze(text, withHold);
  }
}
