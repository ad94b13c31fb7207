// Responses API events, streamed. Every `*.delta` event with a text `delta` (output text,
// refusal, function-call arguments, reasoning…) runs through a stream masker of its own, per
// item and part; its `*.done` event, which repeats the whole text, is masked as JSON like every
// other event. What a stream still holds goes out in one more delta event just before its done
// event, and sequence numbers are shifted so that they stay consecutive.
import type { Finding, Masker } from '../../masking/index.js';
import { TextStreams, type DeltaHandler, type StreamedEvent } from '../llm-stream.js';
import { answerDetails, type AnswerDetails } from './usage.js';

type Json = Record<string, unknown>;

const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export class ResponseDeltas implements DeltaHandler {
  private readonly streams: TextStreams;
  /** The last delta event of each open stream, the template for its flush. */
  private readonly last = new Map<string, { name: string | undefined; event: Json }>();
  private added = 0;
  private answer: AnswerDetails = {};

  constructor(
    private readonly masker: Masker,
    private readonly findings: Finding[],
  ) {
    this.streams = new TextStreams(masker, findings);
  }

  event(name: string | undefined, data: unknown): StreamedEvent[] {
    if (!isObject(data) || typeof data.type !== 'string') return [{ event: name, data: this.json(data) }];
    const type = data.type;
    // Usage and the finish reason are final only once the response is.
    if (isObject(data.response) && FINAL_EVENTS.has(type)) this.answer = { ...this.answer, ...answerDetails(data.response) };
    else if (isObject(data.response) && typeof data.response.model === 'string') this.answer.model = data.response.model;

    if (type.endsWith('.delta') && typeof data.delta === 'string') {
      const key = streamKey(type, data);
      const text = data.delta;
      data.delta = '';
      const masked = this.renumber(this.json(data) as Json);
      masked.delta = this.streams.push(key, text);
      this.last.set(key, { name, event: masked });
      return [{ event: name, data: masked }];
    }
    const flush = type.endsWith('.done') ? this.flushKey(streamKey(`${type.slice(0, -'.done'.length)}.delta`, data), data.sequence_number) : [];
    return [...flush, { event: name, data: this.renumber(this.json(data) as Json) }];
  }

  flush(): StreamedEvent[] {
    return this.streams.open().flatMap((key) => this.flushKey(key, undefined));
  }

  details(): AnswerDetails {
    return this.answer;
  }

  /** One more delta event with what the stream of `key` still holds, numbered before `before`. */
  private flushKey(key: string, before: unknown): StreamedEvent[] {
    const rest = this.streams.end(key);
    const template = this.last.get(key);
    this.last.delete(key);
    if (rest.length === 0 || !template) return [];
    const event: Json = { ...template.event, delta: rest };
    if (typeof before === 'number') event.sequence_number = before + this.added;
    else if (typeof template.event.sequence_number === 'number') event.sequence_number = template.event.sequence_number + 1;
    this.added++;
    return [{ event: template.name, data: event }];
  }

  private renumber(event: Json): Json {
    if (typeof event.sequence_number === 'number') event.sequence_number += this.added;
    return event;
  }

  private json(value: unknown): unknown {
    const masked = this.masker.json(value);
    this.findings.push(...masked.findings);
    return masked.value;
  }
}

/** One stream per kind of text, item and part. */
function streamKey(deltaType: string, event: Json): string {
  return [deltaType, event.item_id, event.output_index, event.content_index, event.summary_index].map((p) => (p === undefined ? '' : String(p))).join('|');
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
