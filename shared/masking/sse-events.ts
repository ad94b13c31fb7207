// Server-Sent Events, parsed event by event and written back. An event is held until its blank
// line; one that grows past MAX_SSE_LINE is an error, so what is held stays bounded.
import { MAX_SSE_LINE } from './limits.js';

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
  private line = '';
  private pendingCr = false;
  private current: SseEvent = { other: [] };
  private size = 0;

  /** Complete events in the text so far. */
  push(text: string): SseEvent[] {
    if (this.pendingCr) text = '\r' + text;
    // A CR at the end may be the first half of a CRLF.
    this.pendingCr = text.endsWith('\r');
    if (this.pendingCr) text = text.slice(0, -1);
    const lines = (this.line + text).replace(/\r\n?/g, '\n').split('\n');
    this.line = lines.pop()!;
    const events: SseEvent[] = [];
    for (const line of lines) {
      const event = this.take(line);
      if (event) events.push(event);
    }
    if (this.size + this.line.length > MAX_SSE_LINE) throw new SseOverflow();
    return events;
  }

  /** The last event, when the stream ends without its blank line. */
  end(): SseEvent[] {
    const events = this.pendingCr || this.line.length > 0 ? this.push('\n') : [];
    const last = this.take('');
    return last ? [...events, last] : events;
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
