// Server-Sent Events, parsed event by event and written back. An event is held until its blank
// line; one that grows past MAX_SSE_LINE is an error, so what is held stays bounded.
import { MAX_SSE_LINE } from './limits.js';
import { LineSplitter } from './lines.js';

export interface SseEvent {
  /** The `event:` name, when there is one. */
  event?: string;
  /** `data:` lines joined with `\n`; undefined when the event has none. */
  data?: string;
  /** Other lines (comments, `id:`, `retry:`), written back as they came. */
  other: string[];
}

export class SseOverflow extends Error {
  constructor() {
    super(`a Server-Sent Event exceeded ${MAX_SSE_LINE} characters`);
  }
}

export class SseParser {
  private readonly lines = new LineSplitter(true);
  private current: SseEvent = { other: [] };
  private size = 0;

  /** Complete events in the text so far. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    for (const line of this.lines.push(text)) {
      const event = this.take(line);
      if (event) events.push(event);
    }
    if (this.size + this.lines.partial.length > MAX_SSE_LINE) throw new SseOverflow();
    return events;
  }

  /** The last event, when the stream ends without its blank line. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    // The partial line, then the blank line the stream did not send.
    for (const line of this.lines.unterminated ? [this.lines.take(), ''] : ['']) {
      const event = this.take(line);
      if (event) events.push(event);
    }
    return events;
  }

  private take(line: string): SseEvent | undefined {
    if (line === '') {
      const event = this.current;
      this.current = { other: [] };
      this.size = 0;
      return event.data !== undefined || event.event !== undefined || event.other.length > 0 ? event : undefined;
    }
    this.size += line.length + 1;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (field === 'data') this.current.data = this.current.data === undefined ? value : `${this.current.data}\n${value}`;
    else if (field === 'event') this.current.event = value;
    else this.current.other.push(line);
    return undefined;
  }
}

export function serializeEvent(event: SseEvent): string {
  let out = event.event !== undefined ? `event: ${event.event}\n` : '';
  for (const line of event.other) out += `${line}\n`;
  if (event.data === undefined) return out + '\n';
  if (!event.data.includes('\n')) return `${out}data: ${event.data}\n\n`;
  for (const line of event.data.split('\n')) out += `data: ${line}\n`;
  return out + '\n';
}
