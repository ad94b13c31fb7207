// Server-Sent Events masking, event by event. An event is held until its blank line; its `data:`
// lines are joined with `\n` as the spec says, and the joined data is masked whole (a PEM key over
// many data lines is one secret). JSON data goes through JsonEventMasker, so the text of a token
// stream is masked across events; other data is masked as text, event by event. The event's other
// lines (event, id, retry, comments) are masked together as text. An event with a line that is no
// SSE field (a raw continuation line) cannot be judged field by field: it is masked whole as text.
// An event longer than MAX_SSE_LINE is masked as streamed text from then on, so holding is bounded.
import { JsonEventMasker, type JsonMasker, type MaskedEvent } from './json-events.js';
import { MAX_SSE_LINE } from './limits.js';
import { LineSplitter } from './lines.js';
import type { Finding } from './redact.js';
import type { StreamMasker } from './stream.js';

export interface LineMasker extends JsonMasker {
  text(input: string): { text: string; findings: Finding[] };
}

const FIELDS = new Set(['data', 'event', 'id', 'retry']);

export class SseMasker implements StreamMasker {
  readonly findings: Finding[] = [];
  private readonly events: JsonEventMasker;
  private readonly split = new LineSplitter(true);
  /** The lines of the event being read. */
  private lines: string[] = [];
  private size = 0;
  private long: StreamMasker | undefined;
  private longFindings = 0;
  private eventNumber = 0;

  constructor(private readonly masker: LineMasker) {
    this.events = new JsonEventMasker(masker, this.findings);
  }

  push(chunk: string): string {
    if (this.long) return this.pushLong(chunk);
    const lines = this.split.push(chunk);
    let out = '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') {
        out += this.finishEvent();
        continue;
      }
      this.lines.push(line);
      this.size += line.length + 1;
      if (this.size > MAX_SSE_LINE) return this.ending(out) + this.toLong([...lines.slice(i + 1), this.split.take()].join('\n'));
    }
    if (this.size + this.split.partial.length > MAX_SSE_LINE) return this.ending(out) + this.toLong(this.split.take());
    return this.ending(out);
  }

  end(): string {
    if (this.long) {
      const out = this.long.end();
      this.collectLong();
      return out + this.ending(this.flushAll());
    }
    if (this.split.unterminated) this.lines.push(this.split.take());
    const last = this.lines.length > 0 ? this.finishEvent() : '';
    return this.ending(last + this.flushAll());
  }

  private ending(text: string): string {
    // The stream's lines end with CR LF (or CR): so do the lines written back.
    return this.split.sawCr ? text.replace(/\n/g, '\r\n') : text;
  }

  /** From an over-long event on, the rest of the stream is masked as text, the event's held lines first. */
  private toLong(rest: string): string {
    const held = this.lines.join('\n') + '\n' + rest;
    this.lines = [];
    this.long = this.masker.streamAt((offset) => `event:${this.eventNumber}:offset:${offset}`);
    return this.ending(this.flushAll()) + this.pushLong(held);
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

  private finishEvent(): string {
    const lines = this.lines;
    this.lines = [];
    this.size = 0;
    if (lines.length === 0) return '\n';
    const number = this.eventNumber++;
    const raw = lines.some((line) => !line.startsWith(':') && !FIELDS.has(line.slice(0, line.indexOf(':') === -1 ? line.length : line.indexOf(':'))));
    if (raw) return this.text(lines.join('\n'), number) + '\n\n';

    let name: string | undefined;
    let data: string | undefined;
    const other: string[] = [];
    for (const line of lines) {
      const colon = line.indexOf(':');
      const field = line.slice(0, colon === -1 ? line.length : colon);
      const value = colon === -1 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
      if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
      else {
        if (field === 'event') name = value;
        other.push(line);
      }
    }
    const head = other.length > 0 ? this.text(other.join('\n'), number) + '\n' : '';
    if (data === undefined) return head + '\n';
    if (data.trim() === '[DONE]') return this.flushAll() + head + dataLines(data) + '\n';
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return head + dataLines(this.text(data, number)) + '\n';
    }
    const events = this.events.event(name, data, value);
    const own = events.pop()!;
    return events.map(serialize).join('') + head + dataLines(own.json) + '\n';
  }

  /** What every streamed text still holds, in events of its own. */
  private flushAll(): string {
    return this.events.end().map(serialize).join('');
  }

  private text(text: string, event: number): string {
    const masked = this.masker.text(text);
    for (const f of masked.findings) this.findings.push({ ...f, location: `event:${event}:${f.location}` });
    return masked.text;
  }
}

function dataLines(data: string): string {
  let out = '';
  for (const line of data.split('\n')) out += `data: ${line}\n`;
  return out;
}

function serialize(event: MaskedEvent): string {
  return (event.name !== undefined ? `event: ${event.name}\n` : '') + dataLines(event.json) + '\n';
}
