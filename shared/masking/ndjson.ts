// Newline-delimited JSON masking (application/x-ndjson, jsonl: Ollama's token streams, watch
// feeds). Each line that is JSON goes through JsonEventMasker, so the text of a token stream is
// masked across lines; lines that are not JSON are one text stream, newlines included, so a PEM
// key over raw lines is masked whole. A line longer than MAX_SSE_LINE is masked as streamed text
// from then on, so holding stays bounded.
import { JsonEventMasker } from './json-events.js';
import { MAX_SSE_LINE } from './limits.js';
import { LineSplitter } from './lines.js';
import type { Finding } from './redact.js';
import type { LineMasker } from './sse.js';
import type { StreamMasker } from './stream.js';
import { TextStreams } from './text-streams.js';

const TEXT = 'ndjson:text';

export class NdjsonMasker implements StreamMasker {
  readonly findings: Finding[] = [];
  private readonly events: JsonEventMasker;
  private readonly texts: TextStreams;
  /** Lines end at LF; a CR before it stays with its line (finishLine). */
  private readonly split = new LineSplitter(false);
  private long = false;

  constructor(masker: LineMasker) {
    this.events = new JsonEventMasker(masker, this.findings);
    this.texts = new TextStreams(masker, this.findings);
  }

  push(chunk: string): string {
    if (this.long) return this.texts.push(TEXT, chunk);
    let out = '';
    for (const line of this.split.push(chunk)) out += this.finishLine(line);
    if (this.split.partial.length > MAX_SSE_LINE) {
      this.long = true;
      out += this.flushEvents() + this.texts.push(TEXT, this.split.take());
    }
    return out;
  }

  end(): string {
    const unterminated = !this.long && this.split.unterminated;
    const last = unterminated ? this.finishLine(this.split.take(), '') : '';
    const flush = this.events.end().map((e) => e.json);
    const events = unterminated ? flush.map((json) => '\n' + json).join('') : flush.map((json) => json + '\n').join('');
    return last + events + this.texts.end(TEXT);
  }

  private finishLine(line: string, newline = '\n'): string {
    const body = line.endsWith('\r') ? line.slice(0, -1) : line;
    const cr = line.slice(body.length);
    let value: unknown;
    try {
      if (body.trim().length === 0) throw new Error('blank');
      value = JSON.parse(body);
    } catch {
      return this.texts.push(TEXT, line + newline);
    }
    // Raw text held so far goes out before the JSON that follows it.
    const held = this.texts.end(TEXT);
    return held + this.events.event(undefined, body, value).map((e) => e.json + cr + newline).join('');
  }

  private flushEvents(): string {
    return this.events.end().map((e) => e.json + '\n').join('');
  }
}
