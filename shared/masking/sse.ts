// Server-Sent Events masking, line by line: each `data:` payload is masked with `auto` (so a
// JSON event stays valid JSON), other lines as text. A line is held until its end; one longer
// than MAX_SSE_LINE is masked as streamed text from then on, so holding stays bounded.
import { MAX_SSE_LINE } from './limits.js';
import type { Finding } from './redact.js';
import type { StreamMasker } from './stream.js';

export interface LineMasker {
  auto(body: string): { text: string; findings: Finding[] };
  text(input: string): { text: string; findings: Finding[] };
  streamAt(locate: (offset: number) => string): StreamMasker;
}

export class SseMasker implements StreamMasker {
  readonly findings: Finding[] = [];
  private line = '';
  private long: StreamMasker | undefined;
  private longFindings = 0;
  private lineNumber = 1;

  constructor(private readonly masker: LineMasker) {}

  push(chunk: string): string {
    let out = '';
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      out += this.finishLine(chunk.slice(from, nl)) + '\n';
      from = nl + 1;
    }
    const rest = chunk.slice(from);
    if (this.long) return out + this.pushLong(rest);
    this.line += rest;
    if (this.line.length > MAX_SSE_LINE) {
      const number = this.lineNumber;
      this.long = this.masker.streamAt((offset) => `line:${number}:offset:${offset}`);
      this.longFindings = 0;
      const held = this.line;
      this.line = '';
      out += this.pushLong(held);
    }
    return out;
  }

  end(): string {
    if (!this.long && this.line.length === 0) return '';
    return this.finishLine('');
  }

  private pushLong(text: string): string {
    const out = this.long!.push(text);
    this.collectLong();
    return out;
  }

  private collectLong() {
    const all = this.long!.findings;
    for (; this.longFindings < all.length; this.longFindings++) this.findings.push(all[this.longFindings]!);
  }

  private finishLine(tail: string): string {
    const number = this.lineNumber++;
    if (this.long) {
      const out = this.long.push(tail) + this.long.end();
      this.collectLong();
      this.long = undefined;
      return out;
    }
    const line = this.line + tail;
    this.line = '';
    if (line.length === 0) return '';
    const isData = line.startsWith('data:');
    const prefix = isData ? (line[5] === ' ' ? 'data: ' : 'data:') : '';
    const masked = isData ? this.masker.auto(line.slice(prefix.length)) : this.masker.text(line);
    for (const f of masked.findings) this.findings.push({ ...f, location: `line:${number}:${f.location}` });
    return prefix + masked.text;
  }
}
