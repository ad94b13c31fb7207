// Messages API events, streamed, masked delta by delta. Each content block's text (`text_delta`,
// `thinking_delta`, and `input_json_delta` of server tools) runs through a stream masker of its
// own, so a secret split across any number of events is still found; what a block's masker still
// holds goes out in one more delta just before its content_block_stop. A `tool_use` block — a
// call the agent will run — is held whole until its content_block_stop, judged, and then sent as
// one start, one delta with its input (parsed and masked as JSON) and its stop, or, when the policy
// does not pass it, replaced at the same index by a text block saying why; a stop reason of
// `tool_use` becomes `end_turn` when no tool call is left, so that the agent reads the text and
// carries on instead of waiting for a tool result. A tool call cut off before its stop is never
// sent. Signatures (`signature_delta`) are Anthropic's opaque data and pass as they are; thinking
// text is masked like any other text (see docs/clients.md on what that means for its signature).
// When a call needs a review, the text naming the approval stands in for it, and the answer as it
// would have been with the call passed is kept for the approval to hold (approvedAnswer).
import { TextStreams, type Finding, type Masker } from '../../masking/index.js';
import type { JudgedToolCall, ProposedToolCall, ToolCallVerdict } from '../kind.js';
import { EventJson, type AnswerDetails, type DeltaHandler, type StreamedEvent } from '../llm-stream.js';
import { RawDeltas, sentEvent, type SentEvent } from '../raw-deltas.js';
import { parsedInput, replacedToolCallText } from '../tool-calls.js';
import { messageDetails, usageDetails } from './usage.js';
import { pushAll } from '../../platform/arrays.js';

type Json = Record<string, unknown>;

/** Streamed text fields of a content_block_delta, by delta type. */
const TEXT_DELTAS: Record<string, string> = { text_delta: 'text', thinking_delta: 'thinking', input_json_delta: 'partial_json' };

interface HeldCall {
  index: number;
  /** content_block_start's event name and masked data. */
  name: string | undefined;
  start: Json;
  input: string;
}

export class MessageDeltas implements DeltaHandler {
  private readonly streams: TextStreams;
  private readonly events: EventJson;
  /** Text deltas like one masked before, masked from their bytes. */
  private readonly raw: RawDeltas;
  /** Per open block index: the last delta event of each stream, the template for its flush. */
  private readonly last = new Map<string, { name: string | undefined; event: SentEvent; field: string }>();
  private held: HeldCall | undefined;
  private passedCalls = 0;
  private replacedCalls = 0;
  private reviewedCalls = 0;
  /** For the last event: what the answer with the calls under review passed has instead. */
  private differs: StreamedEvent[] | undefined;
  private answer: AnswerDetails = {};
  readonly judged: JudgedToolCall[] = [];

  constructor(
    private readonly masker: Masker,
    private readonly findings: Finding[],
    private readonly judge: (call: ProposedToolCall) => ToolCallVerdict,
  ) {
    this.streams = new TextStreams(masker, findings);
    this.events = new EventJson(masker, findings);
    this.raw = new RawDeltas(this.events, this.streams);
  }

  fromBytes(_name: string | undefined, raw: string): string | undefined {
    // A tool call's input is held as it comes, not masked as text.
    if (this.held) return undefined;
    this.differs = undefined;
    return this.raw.maskNoting(raw, this.last);
  }

  event(name: string | undefined, data: unknown, raw?: string): StreamedEvent[] {
    this.differs = undefined;
    return this.dispatch(name, data, raw);
  }

  approvedInstead(): StreamedEvent[] | undefined {
    return this.differs;
  }

  reviewed(): boolean {
    return this.reviewedCalls > 0;
  }

  private dispatch(name: string | undefined, data: unknown, raw: string | undefined): StreamedEvent[] {
    if (!isObject(data) || typeof data.type !== 'string') return [{ event: name, data: this.json(data) }];
    switch (data.type) {
      case 'message_start':
        this.answer = { ...this.answer, ...messageDetails(data.message) };
        return [{ event: name, data: this.json(data) }];
      case 'content_block_start':
        return this.blockStart(name, data);
      case 'content_block_delta':
        return this.blockDelta(name, data, raw);
      case 'content_block_stop':
        return this.blockStop(name, data);
      case 'message_delta':
        return this.messageDelta(name, data);
      default:
        return [{ event: name, data: this.json(data) }];
    }
  }

  flush(): StreamedEvent[] {
    // The answer ended without its blocks' stops: what they hold goes out; a held tool call does not.
    this.held = undefined;
    return this.streams.open().flatMap((key) => this.flushKey(key));
  }

  details(): AnswerDetails {
    return this.answer;
  }

  private blockStart(name: string | undefined, data: Json): StreamedEvent[] {
    const block = data.content_block;
    if (isObject(block) && block.type === 'tool_use' && typeof data.index === 'number') {
      // The input arrives in input_json_delta events; what the start carries (usually {}) is its beginning.
      const input = isObject(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : '';
      this.held = { index: data.index, name, start: data, input };
      return [];
    }
    return [{ event: name, data: this.json(data) }];
  }

  private blockDelta(name: string | undefined, data: Json, raw: string | undefined): StreamedEvent[] {
    const delta = data.delta;
    if (!isObject(delta) || typeof delta.type !== 'string') return [{ event: name, data: this.json(data) }];
    if (this.held && data.index === this.held.index) {
      if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') this.held.input += delta.partial_json;
      return [];
    }
    // Anthropic's opaque data: masking could only break it. It closes the block's thinking, so
    // what the masker still holds of that text goes first, in the order the upstream sent them.
    if (delta.type === 'signature_delta') return [...this.flushBlock(data.index), { event: name, data }];
    const field = TEXT_DELTAS[delta.type];
    if (!field || typeof delta[field] !== 'string') return [{ event: name, data: this.json(data) }];
    const key = `${String(data.index)}:${delta.type}`;
    const text = delta[field] as string;
    delta[field] = '';
    const masked = this.json(data) as Json & { delta: Json };
    masked.delta[field] = this.streams.push(key, text);
    this.last.set(key, { name, event: masked, field });
    if (raw !== undefined && this.events.cleanEnvelope) this.raw.learn(raw, masked, { key, path: ['delta', field] });
    return [{ event: name, data: masked }];
  }

  private blockStop(name: string | undefined, data: Json): StreamedEvent[] {
    const stop = { event: name, data: this.json(data) };
    if (this.held && data.index === this.held.index) {
      const held = this.held;
      this.held = undefined;
      const out = [...this.judgeHeld(held), stop];
      if (this.differs) this.differs = [...this.differs, stop];
      return out;
    }
    return [...this.flushBlock(data.index), stop];
  }

  /** What the streams of the block at `index` still hold, as deltas. */
  private flushBlock(index: unknown): StreamedEvent[] {
    return this.streams.open(`${String(index)}:`).flatMap((key) => this.flushKey(key));
  }

  /** The events that stand for a complete tool call: itself, or a text block in its place. */
  private judgeHeld(held: HeldCall): StreamedEvent[] {
    const block = held.start.content_block as Json;
    const call: ProposedToolCall = { name: typeof block.name === 'string' ? block.name : '', input: parsedInput(held.input || '{}') };
    const verdict = this.judge(call);
    this.judged.push({ name: call.name, ...verdict });
    const passed = (): StreamedEvent[] => {
      const input = this.masker.json(call.input, `$.content[${held.index}].input`);
      pushAll(this.findings, input.findings);
      const start = this.json({ ...held.start, content_block: { ...block, input: {} } });
      const delta = { type: 'content_block_delta', index: held.index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input.value) } };
      return [{ event: held.name, data: start }, { event: 'content_block_delta', data: delta }];
    };
    if (verdict.action === 'allow') {
      this.passedCalls++;
      return passed();
    }
    if (verdict.action === 'review') {
      this.reviewedCalls++;
      this.differs = passed();
    } else this.replacedCalls++;
    const text = replacedToolCallText(call, verdict);
    return [
      { event: held.name, data: { type: 'content_block_start', index: held.index, content_block: { type: 'text', text: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: held.index, delta: { type: 'text_delta', text } } },
    ];
  }

  private messageDelta(name: string | undefined, data: Json): StreamedEvent[] {
    this.answer = { ...this.answer, ...usageDetails(data.usage) };
    const masked = this.json(data) as Json;
    const delta = isObject(masked.delta) ? masked.delta : undefined;
    if (typeof delta?.stop_reason === 'string') this.answer.finishReason = delta.stop_reason;
    if (delta?.stop_reason !== 'tool_use') return [{ event: name, data: masked }];
    // Nothing left for the agent to run: it reads the text and carries on.
    const ends = (passed: number) => (this.replacedCalls + this.reviewedCalls > 0 && passed === 0 ? 'end_turn' : 'tool_use');
    const approved = ends(this.passedCalls + this.reviewedCalls);
    if (approved !== 'tool_use') this.differs = [{ event: name, data: { ...masked, delta: { ...delta, stop_reason: approved } } }];
    else this.differs = [{ event: name, data: masked }];
    return [{ event: name, data: { ...masked, delta: { ...delta, stop_reason: ends(this.passedCalls) } } }];
  }

  /** One more delta with what the stream of `key` still holds; [] when it holds nothing. */
  private flushKey(key: string): StreamedEvent[] {
    const rest = this.streams.end(key);
    const template = this.last.get(key);
    this.last.delete(key);
    this.raw.forget(key);
    if (rest.length === 0 || !template) return [];
    const event = sentEvent(template.event);
    const delta = { ...(event.delta as Json), [template.field]: rest };
    return [{ event: template.name, data: { ...event, delta } }];
  }

  private json(value: unknown): unknown {
    return this.events.mask(value);
  }
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
