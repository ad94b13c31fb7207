// Masks a stream of JSON events (SSE `data:` payloads, NDJSON lines) across events. The text
// fields of the common token-streaming shapes (event-fields.ts) run through a stream masker per
// text, so a secret split over many events is found whole; the rest of each event is masked as
// JSON. Text held back while a secret may be forming goes out later: in the event that ends its
// text when that event carries the field, else in one more event, a copy of the text's last
// event carrying only what was held, just before the event that ends it (or the stream's end).
import { at, eventFields, setAt, type FieldPath, type TextField } from './event-fields.js';
import type { Finding } from './redact.js';
import { TextStreams, type StreamSource } from './text-streams.js';

export interface JsonMasker extends StreamSource {
  json(value: unknown, path?: string): { value: unknown; findings: Finding[] };
  auto(body: string, contentType?: string): { text: string; findings: Finding[] };
}

const NONE: string[] = [];

export interface MaskedEvent {
  name?: string;
  /** The event's JSON, masked. */
  json: string;
}

export class JsonEventMasker {
  private readonly streams: TextStreams;
  /** The last event of each open text, masked and with every text emptied: the template for its flush. */
  private readonly last = new Map<string, { name: string | undefined; data: unknown; path: FieldPath }>();

  constructor(
    private readonly masker: JsonMasker,
    private readonly findings: Finding[],
  ) {
    this.streams = new TextStreams(masker, findings);
  }

  /**
   * The events to send for one upstream event (`raw`, parsed as `data`): flushes it had to add,
   * then its masked self. An event with no streamed text is masked as its own JSON text, byte
   * for byte where nothing is found (large integers included).
   */
  event(name: string | undefined, raw: string, data: unknown): MaskedEvent[] {
    const found = eventFields(name, data);
    if (found.fields.length === 0 && this.ending(found.ends).length === 0) {
      const masked = this.masker.auto(raw, 'application/json');
      this.findings.push(...masked.findings);
      return [{ name, json: masked.text }];
    }
    const texts = found.fields.map((field) => at(data, field.path) as string);
    for (const field of found.fields) setAt(data, field.path, '');
    const masked = this.masker.json(data);
    if (masked.findings.length > 0) this.findings.push(...masked.findings);
    // A text under a sensitive key was masked whole with the rest of the event: it is not streamed.
    const fields: TextField[] = [];
    const out: string[] = [];
    found.fields.forEach((field, i) => {
      if (at(masked.value, field.path) !== '') return;
      fields.push(field);
      out.push(this.streams.push(field.key, texts[i]!));
    });

    const before: MaskedEvent[] = [];
    for (const key of this.ending(found.ends)) {
      const rest = this.streams.end(key);
      const own = fields.findIndex((field) => field.key === key);
      if (own !== -1) out[own] = out[own]! + rest;
      else before.push(...this.flushEvent(key, rest));
      this.last.delete(key);
    }
    fields.forEach((field, i) => setAt(masked.value, field.path, out[i]!));
    const json = JSON.stringify(masked.value);
    // The event, its texts emptied again, is the template of a flush for those still open
    // (flushEvent copies it): no copy of every event, only of the one a flush needs.
    for (const field of fields) {
      setAt(masked.value, field.path, '');
      if (this.streams.isOpen(field.key)) this.last.set(field.key, { name, data: masked.value, path: field.path });
    }
    if (before.length === 0) return [{ name, json }];
    before.push({ name, json });
    return before;
  }

  /** Events carrying what every open text still holds, at the end of the stream. */
  end(): MaskedEvent[] {
    return this.streams.open().flatMap((key) => {
      const events = this.flushEvent(key, this.streams.end(key));
      this.last.delete(key);
      return events;
    });
  }

  private ending(prefixes: string[]): string[] {
    return prefixes.length === 0 ? NONE : this.streams.open().filter((key) => prefixes.some((prefix) => key.startsWith(prefix)));
  }

  private flushEvent(key: string, rest: string): MaskedEvent[] {
    const template = this.last.get(key);
    if (rest.length === 0 || !template) return [];
    const data = structuredClone(template.data);
    setAt(data, template.path, rest);
    return [{ name: template.name, json: JSON.stringify(data) }];
  }
}
