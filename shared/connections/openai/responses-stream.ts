// Responses API events, streamed. Every `*.delta` event with a text `delta` (output text,
// refusal, function-call arguments, reasoning…) runs through a stream masker of its own, per
// item and part; its `*.done` event, which repeats the whole text, is masked as JSON like every
// other event. What a stream still holds goes out in one more delta event just before its done
// event, and sequence numbers are shifted so that they stay consecutive. An output item that
// proposes a call the agent runs (function, custom tool, shell) is held from its `added` event to
// its `done` event (text keeps streaming), judged, then sent as it came or replaced by an assistant
// message item saying why — in the final response too. A call cut off before its done is never sent.
import { TextStreams, type Finding, type Masker } from '../../masking/index.js';
import type { ToolCallVerdict } from '../kind.js';
import { EventJson, type DeltaHandler, type StreamedEvent } from '../llm-stream.js';
import { RawDeltas, sentEvent, type SentEvent } from '../raw-deltas.js';
import { replacedToolCallText } from '../tool-calls.js';
import { replacementItem, responseCall, type Judge } from './tool-calls.js';
import { OPENAI_PER_EVENT } from './per-event.js';
import { answerDetails, type AnswerDetails } from './usage.js';

type Json = Record<string, unknown>;

const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export class ResponseDeltas implements DeltaHandler {
  private readonly streams: TextStreams;
  private readonly events: EventJson;
  /** Text deltas like one masked before, masked from their bytes. */
  private readonly raw: RawDeltas;
  /** The last sequence number sent, as renumbered. */
  private sent: number | undefined;
  /** The last delta event of each open stream, the template for its flush. */
  private readonly last = new Map<string, { name: string | undefined; event: SentEvent }>();
  private added = 0;
  private answer: AnswerDetails = {};
  /** Events of proposed calls not yet complete, by output index. */
  private readonly held = new Map<number, Array<{ name: string | undefined; data: Json }>>();
  /** Verdicts on the calls judged so far, by item id, for the final response. */
  private readonly verdicts = new Map<string, ToolCallVerdict>();
  private reviewedCalls = 0;
  /** For the last event: what the answer with the calls under review passed has instead. */
  private differs: StreamedEvent[] | undefined;

  constructor(
    masker: Masker,
    findings: Finding[],
    private readonly judge: Judge,
  ) {
    this.streams = new TextStreams(masker, findings);
    const events = (this.events = new EventJson(masker, findings, OPENAI_PER_EVENT));
    // Sequence numbers are renumbered on this way too.
    const members = {
      perEvent: events.perEvent,
      alone: (member: string) => events.alone(member),
      own: (member: string, value: string | number) => {
        const masked = events.own(member, value);
        return member === 'sequence_number' && typeof masked === 'number' ? this.shifted(masked) : masked;
      },
    };
    this.raw = new RawDeltas(members, this.streams);
  }

  fromBytes(_name: string | undefined, raw: string): string | undefined {
    // While a call is held, its events are held too: they go the full way.
    if (this.held.size > 0) return undefined;
    this.differs = undefined;
    return this.raw.maskNoting(raw, this.last);
  }

  event(name: string | undefined, data: unknown, raw?: string): StreamedEvent[] {
    this.differs = undefined;
    if (!isObject(data) || typeof data.type !== 'string') return [{ event: name, data: this.json(data) }];
    const at = typeof data.output_index === 'number' ? data.output_index : undefined;
    if (data.type === 'response.output_item.added' && at !== undefined && responseCall(data.item)) {
      this.held.set(at, [{ name, data }]);
      return [];
    }
    const held = at === undefined ? undefined : this.held.get(at);
    if (held && data.type !== 'response.output_item.done') {
      held.push({ name, data });
      return [];
    }
    if (held) {
      this.held.delete(at!);
      return this.judged(held, { name, data });
    }
    if (isObject(data.response) && Array.isArray(data.response.output)) {
      const output: unknown[] = data.response.output;
      if (this.reviewedCalls > 0) {
        const approved = { ...data, response: { ...data.response, output: output.map((item) => this.finalItem(item, true)) } };
        this.differs = this.pass(name, approved);
      }
      data.response.output = output.map((item) => this.finalItem(item, false));
    }
    return this.pass(name, data, raw);
  }

  approvedInstead(): StreamedEvent[] | undefined {
    return this.differs;
  }

  reviewed(): boolean {
    return this.reviewedCalls > 0;
  }

  /** A complete proposed call: its events as they came, or the events of a message item in its place. */
  private judged(held: Array<{ name: string | undefined; data: Json }>, done: { name: string | undefined; data: Json }): StreamedEvent[] {
    const item = done.data.item as Json;
    const call = responseCall(item)!;
    const verdict = this.judge(call);
    if (typeof item.id === 'string') this.verdicts.set(item.id, verdict);
    if (verdict.action === 'allow') return [...held, done].flatMap((e) => this.pass(e.name, e.data));
    if (verdict.action === 'review') {
      this.reviewedCalls++;
      const added = this.added;
      this.differs = [...held, done].flatMap((e) => this.pass(e.name, structuredClone(e.data)));
      this.added = added;
    }
    const message = replacementItem(item, replacedToolCallText(call, verdict));
    const text = (message.content as Json[])[0]!;
    const at = { item_id: message.id, output_index: done.data.output_index };
    const part = { ...at, content_index: 0 };
    const events: Json[] = [
      { type: 'response.output_item.added', ...at, item: { ...message, status: 'in_progress', content: [] } },
      { type: 'response.content_part.added', ...part, part: { ...text, text: '' } },
      { type: 'response.output_text.delta', ...part, delta: text.text, logprobs: [] },
      { type: 'response.output_text.done', ...part, text: text.text, logprobs: [] },
      { type: 'response.content_part.done', ...part, part: text },
      { type: 'response.output_item.done', ...at, item: message },
    ];
    delete events[0]!.item_id;
    delete events[5]!.item_id;
    // Numbered from the first held event's number, and the numbers after shifted by the difference.
    const first = held[0]!.data.sequence_number;
    if (typeof first === 'number') events.forEach((e, i) => (e.sequence_number = first + this.added + i));
    this.added += events.length - (held.length + 1);
    return events.map((data) => ({ event: String(data.type), data }));
  }

  /** An item of the final response: a proposed call as it was judged when it streamed. */
  private finalItem(item: unknown, passReview: boolean): unknown {
    const call = responseCall(item);
    if (!call) return item;
    const id = (item as Json).id;
    let verdict = typeof id === 'string' ? this.verdicts.get(id) : undefined;
    if (!verdict) {
      verdict = this.judge(call);
      if (typeof id === 'string') this.verdicts.set(id, verdict);
    }
    const passes = verdict.action === 'allow' || (passReview && verdict.action === 'review');
    return passes ? item : replacementItem(item as Json, replacedToolCallText(call, verdict));
  }

  /** `raw`: the event's data as it came, when it is passed as it came (a delta like it can then be masked from its bytes). */
  private pass(name: string | undefined, data: Json, raw?: string): StreamedEvent[] {
    const type = data.type as string;
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
      if (raw !== undefined && this.events.cleanEnvelope) this.raw.learn(raw, masked, { key, path: ['delta'] });
      return [{ event: name, data: masked }];
    }
    const flush = type.endsWith('.done') ? this.flushKey(streamKey(`${type.slice(0, -'.done'.length)}.delta`, data), data.sequence_number) : [];
    return [...flush, { event: name, data: this.renumber(this.json(data) as Json) }];
  }

  flush(): StreamedEvent[] {
    this.held.clear();
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
    this.raw.forget(key);
    if (rest.length === 0 || !template) return [];
    const event: Json = { ...sentEvent(template.event), delta: rest };
    if (typeof before === 'number') event.sequence_number = before + this.added;
    else if (this.sent !== undefined) event.sequence_number = this.sent + 1;
    if (typeof event.sequence_number === 'number') this.sent = event.sequence_number;
    this.added++;
    return [{ event: template.name, data: event }];
  }

  private renumber(event: Json): Json {
    if (typeof event.sequence_number === 'number') event.sequence_number = this.shifted(event.sequence_number);
    return event;
  }

  /** An upstream sequence number past the events the gateway added, noted as the last sent. */
  private shifted(upstream: number): number {
    this.sent = upstream + this.added;
    return this.sent;
  }

  private json(value: unknown): unknown {
    return this.events.mask(value);
  }
}

/** One stream per kind of text, item and part. */
function streamKey(deltaType: string, event: Json): string {
  return [deltaType, event.item_id, event.output_index, event.content_index, event.summary_index].map((p) => (p === undefined ? '' : String(p))).join('|');
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
