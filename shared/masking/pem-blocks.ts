// Private key blocks found by their BEGIN and END lines rather than by the rules' bounded regexes:
// a stream holds back from a BEGIN line until its END line arrives and then masks the block
// whole, whatever lies between (comments, blank lines, a body longer than the rules reach). A
// block whose END does not come within PEM_HOLD_LIMIT fails closed: what was held is masked, and
// so is everything after it up to an END line. A whole text's blocks are masked whole the same
// way (WholeKeyBlocks).
import type { Analysis, Detector } from './core.js';
import type { Span } from './rule.js';
import { isPlaceholderKeyBlock } from './rules/filters.js';

/** The most a stream holds back for one private key block (an RSA-16384 key is about 13 KB). */
export const PEM_HOLD_LIMIT = 64 * 1024;

const HEADER = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----/g;
const FOOTER = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;

export interface Blocks {
  /** Whole blocks (and, past the limit or at the end, unfinished ones) as spans to mask. */
  spans: Span[];
  /** Where an unfinished block starts (text.length when none): nothing from here may go out yet. */
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
    const rule = m[1] === 'OPENSSH ' ? 'openssh-private-key' : 'private-key';
    const end = footerEnd(text, m.index + m[0].length);
    if (end !== -1) {
      // A documentation example (a body of "...", <your key>) is left, as the rules leave it in a whole text.
      if (!isPlaceholderKeyBlock(text.slice(m.index, end))) spans.push(span(m.index, end, rule));
      HEADER.lastIndex = end;
      continue;
    }
    if (final) return { spans: [...spans, span(m.index, text.length, rule)], holdFrom: text.length, open: false };
    if (text.length - m.index > PEM_HOLD_LIMIT) return { spans: [...spans, span(m.index, text.length, rule)], holdFrom: text.length, open: true };
    return { spans, holdFrom: m.index, open: false };
  }
  return { spans, holdFrom: text.length, open: false };
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
    return spans.some((s) => KEY_RULES.has(s.rule)) ? withBlocks(spans, privateKeyBlocks(text, 0, false, true).spans) : spans;
  }

  /** A stream's analysis: TextStreamMasker lays the blocks over it itself, held until they end. */
  analyze(text: string, withHold: boolean): Analysis {
    return this.base.analyze(text, withHold);
  }
}
