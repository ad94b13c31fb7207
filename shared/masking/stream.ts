// Incremental text masking. Each push re-examines the text not yet emitted (plus a little
// emitted context, so a keyword before a secret is still seen) and emits everything before
// the first place where a finding may still be forming. What is held back is bounded by the
// detector's hold limit (MAX_SECRET_LENGTH, a longer literal, a run of base64 up to a key
// block's length), plus the rest of a secret already found; a private key block is held from its
// BEGIN line to its END line, up to PEM_HOLD_LIMIT, and masked whole (pem-blocks.ts).
import type { Detector } from './core.js';
import { mayBeWrappedLine } from './decoded-base64.js';
import { MAX_SECRET_LENGTH, STREAM_CONTEXT } from './limits.js';
import { privateKeyBlocks, withBlocks } from './pem-blocks.js';
import { redact, type Finding } from './redact.js';
import type { Span } from './rule.js';

/**
 * Above this many held characters, a push that cannot end the hold analyses it again only once
 * what came since is an eighth of it (half of it, past the longest secret: a key block, a run of
 * base64 read whole): a stream fed a character at a time while a long secret forms reads its held
 * text a bounded number of times over, not once per character. A piece that may end it (a
 * character that is not base64's, either alphabet; a line break after a line that cannot be
 * wrapped base64's; in a key block a dash of its END line) is analysed at once, so finished text
 * is never kept waiting for more; a short hold, the common case, is analysed on every push.
 */
const AMORTIZED_HOLD = 1024;
const NOT_RUN = /[^\w+/\r\n-]/;
const LINE_BREAK = /[\r\n]/;
/** Characters of a line kept to tell whether it may be wrapped base64: more than its widest line and indentation; a longer one cannot be. */
const LINE_KEPT = 512;

/**
 * Whether `chunk` may end what is held; `line` is the line its first line break ends, if it has
 * one. A line break ends a run unless that line may be one of wrapped base64 (decoded-base64.ts),
 * which goes on over lines.
 */
function mayEndHold(chunk: string, line: string | undefined, inKeyBlock: boolean): boolean {
  if (inKeyBlock) return chunk.includes('-');
  if (NOT_RUN.test(chunk)) return true;
  return line !== undefined && !mayBeWrappedLine(line);
}

/** What is too long a line to be wrapped base64's. */
const TOO_LONG = ' '.repeat(LINE_KEPT + 1);

/** The last line of `line` followed by `chunk`, up to about LINE_KEPT characters (TOO_LONG past them): the chunk read from its end only. */
function lastLine(line: string, chunk: string): string {
  const tail = chunk.length > LINE_KEPT ? chunk.slice(-LINE_KEPT) : chunk;
  const at = Math.max(tail.lastIndexOf('\n'), tail.lastIndexOf('\r'));
  if (at !== -1) return tail.slice(at + 1);
  if (tail !== chunk || line.length > LINE_KEPT) return TOO_LONG;
  return line + chunk;
}

export interface StreamMasker {
  /** Masks the chunk's text as far as is safe; returns what can be emitted now. */
  push(chunk: string): string;
  /** Masks and returns everything held back. */
  end(): string;
  readonly findings: Finding[];
}

export class TextStreamMasker implements StreamMasker {
  readonly findings: Finding[] = [];
  private context = '';
  private pending = '';
  /** Offset in the whole stream of pending[0]. */
  private emitted = 0;
  /** What was emitted ended inside a private key block masked past its hold limit. */
  private inBlock = false;
  /** Characters pending after the last analysis (held back by it). */
  private held = 0;
  /** The last analysis held from an unfinished private key block. */
  private heldByBlock = false;
  /** The stream's last line so far, up to about LINE_KEPT characters: what is pending is not searched on every push. */
  private line = '';

  constructor(
    private readonly engine: Detector,
    private readonly locate: (offset: number) => string = (offset) => `offset:${offset}`,
  ) {}

  push(chunk: string): string {
    if (chunk.length === 0) return '';
    this.pending += chunk;
    const line = this.line;
    this.line = lastLine(line, chunk);
    if (this.held > AMORTIZED_HOLD && (this.pending.length - this.held) * (this.held > MAX_SECRET_LENGTH ? 2 : 8) < this.held) {
      const br = chunk.search(LINE_BREAK);
      // A line longer than any of wrapped base64 is kept as too long, not copied on.
      const ended = br === -1 ? undefined : line.length > LINE_KEPT ? '' : line + chunk.slice(0, br);
      if (!mayEndHold(chunk, ended, this.heldByBlock)) return '';
    }
    return this.flush(false);
  }

  end(): string {
    return this.pending.length === 0 ? '' : this.flush(true);
  }

  private flush(final: boolean): string {
    const buffer = this.context + this.pending;
    const base = this.context.length;
    const analysis = this.engine.analyze(buffer, !final);
    const blocks = privateKeyBlocks(buffer, base, this.inBlock, final);
    const spans = withBlocks(analysis.spans, blocks.spans);
    let cut = final ? buffer.length : Math.max(base, analysis.holdFrom);
    const limit = this.engine.holdLimit;
    if (buffer.length - cut > limit) {
      cut = buffer.length - limit;
      const inside = spans.find((s) => s.start < cut && s.end > cut);
      if (inside) cut = inside.end;
    }
    if (blocks.holdFrom < cut) cut = Math.max(base, blocks.holdFrom);
    // Never through a block found whole (a rule may hold from inside it): it goes out masked whole.
    const through = spans.find((s) => s.start < cut && s.end > cut);
    if (through) cut = through.end;
    // A block masked past its limit goes out now, masked to the end; its rest will be masked too,
    // and goes out as it comes, up to its END line, whatever a rule would hold.
    const wasInBlock = this.inBlock;
    // Held from a BEGIN line, only an END line ends the hold; a tail's key lines end at any other line.
    this.heldByBlock = blocks.holdFrom < buffer.length && buffer.startsWith('-----BEGIN', blocks.holdFrom);
    if (blocks.open) cut = buffer.length;
    else if (wasInBlock && blocks.spans[0]?.start === base) cut = Math.max(cut, blocks.spans[0].end);
    this.inBlock = blocks.open;
    // A surrogate pair is never split: a lone half would not survive UTF-8 encoding.
    const before = buffer.charCodeAt(cut - 1);
    if (cut < buffer.length && before >= 0xd800 && before <= 0xdbff && cut - 1 >= base) cut--;
    if (cut <= base) {
      this.held = this.pending.length;
      return '';
    }

    const own: Span[] = [];
    for (const span of spans) {
      if (span.end <= base || span.start >= cut) continue;
      // A span reaching back into emitted context: mask what has not been emitted yet.
      own.push({ ...span, start: Math.max(span.start, base) - base, end: Math.min(span.end, cut) - base });
    }
    // The rest of a block masked past its limit goes out as nothing: its marker and its finding
    // went out with its start, as they do once for the whole text.
    const skip = wasInBlock && own.length > 0 && own[0]!.start === 0 && own[0]!.order === -1 ? own.shift()!.end : 0;
    const emitted = this.emitted + skip;
    const rest = skip === 0 ? own : own.map((span) => ({ ...span, start: span.start - skip, end: span.end - skip }));
    const out = redact(buffer.slice(base + skip, cut), rest, (offset) => this.locate(emitted + offset), this.findings);
    this.emitted += cut - base;
    this.context = buffer.slice(Math.max(0, cut - STREAM_CONTEXT), cut);
    this.pending = buffer.slice(cut);
    this.held = this.pending.length;
    return out;
  }
}
