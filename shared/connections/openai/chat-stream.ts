// Chat completion chunks, streamed. Per choice, the delta's texts (content, refusal, reasoning,
// audio transcript) run through their own stream maskers; the rest of each chunk is masked as
// JSON. Tool calls are held whole (text keeps streaming) until their choice finishes, then judged:
// those the policy passes go out with their arguments masked as JSON, the others are replaced by
// a content delta saying why, and a finish reason of `tool_calls` becomes `stop` when no call is
// left. When a choice finishes, the text it still held goes out in a delta just before its finish
// chunk; tool calls of a stream cut off before its finish are never sent.
import { TextStreams, type Finding, type Masker } from '../../masking/index.js';
import type { ProposedToolCall } from '../kind.js';
import { EventJson, type DeltaHandler, type StreamedEvent } from '../llm-stream.js';
import { RawDeltas, sentEvent, type SentEvent } from '../raw-deltas.js';
import { replacedToolCallText } from '../tool-calls.js';
import { chatCall, type Judge } from './tool-calls.js';
import { OPENAI_PER_EVENT } from './per-event.js';
import { finishReasons, usageDetails, type AnswerDetails } from './usage.js';
import { pushAll } from '../../platform/arrays.js';

type Json = Record<string, unknown>;
/** A chunk plainField() accepted. */
type PlainChunk = Json & { choices: [Json & { delta: Json }] };

/** Streamed text fields of a delta, by path. */
const TEXT_PATHS = [['content'], ['refusal'], ['reasoning_content'], ['reasoning'], ['audio', 'transcript'], ['function_call', 'arguments']];
/** The text fields that sit in the delta itself. */
const TOP_TEXTS = new Set(TEXT_PATHS.filter((path) => path.length === 1).map(([field]) => field!));

interface Piece {
  /** Position of the choice in the chunk (-1 for a flush). */
  position: number;
  key: string;
  /** Where the text sits in the delta. */
  path: Array<string | number>;
  text: string;
}

/** A tool call as its deltas arrive, by choice and tool index. */
interface HeldCall {
  id?: unknown;
  type?: unknown;
  name: string;
  arguments: string;
  custom: boolean;
}

export interface ChatStreamOptions {
  /** The gateway asked for usage itself: the usage chunk and fields are not the agent's to see. */
  dropUsage: boolean;
  /** Judges each proposed tool call once it is complete. */
  judge: Judge;
}

export class ChatDeltas implements DeltaHandler {
  private readonly streams: TextStreams;
  private readonly events: EventJson;
  /** Text chunks like one masked before, masked from their bytes. */
  private readonly raw: RawDeltas;
  /** The last chunk masked, whose fields other than its choices start the chunks the gateway adds. */
  private last: SentEvent | undefined;
  private answer: AnswerDetails = {};
  private readonly reasons: string[] = [];
  private readonly calls = new Map<number, Map<number, HeldCall>>();
  private reviewedCalls = 0;
  /** For the last event: what the answer with the calls under review passed has instead. */
  private differs: StreamedEvent[] | undefined;

  constructor(
    private readonly masker: Masker,
    private readonly findings: Finding[],
    private readonly options: ChatStreamOptions,
  ) {
    this.streams = new TextStreams(masker, findings);
    this.events = new EventJson(masker, findings, OPENAI_PER_EVENT);
    this.raw = new RawDeltas(this.events, this.streams);
  }

  fromBytes(_name: string | undefined, raw: string): string | undefined {
    this.differs = undefined;
    const sent = this.raw.mask(raw);
    if (sent) this.last = sent.data;
    return sent?.data;
  }

  event(name: string | undefined, data: unknown, raw?: string): StreamedEvent[] {
    this.differs = undefined;
    if (!isObject(data) || !Array.isArray(data.choices)) return [{ event: name, data: this.json(data) }];
    const field = plainField(data);
    if (field) {
      const chunk = data as PlainChunk;
      const key = streamKey(chunk, field);
      const masked = this.plain(chunk, key, field);
      if (raw !== undefined && this.events.cleanEnvelope) this.raw.learn(raw, masked, { key, path: ['choices', 0, 'delta', field] });
      return [{ event: name, data: masked }];
    }
    const choices: unknown[] = data.choices;
    this.note(data);
    if (this.options.dropUsage) {
      if (choices.length === 0 && isObject(data.usage)) return [];
      delete data.usage;
    }
    const pieces = takeTexts(choices, (choice, tool, call) => this.hold(choice, tool, call));
    const masked = this.json(data) as Json & { choices: Json[] };
    this.last = masked;

    const finishing = new Set(choices.flatMap((c, position) => (isObject(c) && c.finish_reason != null ? [position] : [])));
    const held: Piece[] = [];
    for (const piece of pieces) {
      const text = this.streams.push(piece.key, piece.text);
      if (finishing.has(piece.position)) held.push({ ...piece, text });
      else setPath(masked.choices[piece.position]!.delta as Json, piece.path, text);
    }
    const flushes = [...finishing].flatMap((position) => {
      const choice = choices[position] as Json;
      const index = typeof choice.index === 'number' ? choice.index : position;
      return this.flushChoice(index, held.filter((p) => p.position === position));
    });
    const agent: Json[] = [];
    const approved: Json[] = [];
    let approvedFinish: Json[] | undefined;
    for (const position of finishing) {
      const choice = choices[position] as Json;
      const index = typeof choice.index === 'number' ? choice.index : position;
      const calls = this.judgeChoice(index);
      const finish = masked.choices[position]!;
      if (calls.agent) agent.push({ index, delta: calls.agent, finish_reason: null });
      if (calls.approved) approved.push({ index, delta: calls.approved, finish_reason: null });
      if (finish.finish_reason !== 'tool_calls' || calls.replaced + calls.reviewed === 0) continue;
      // Nothing left for the agent to run: it reads the text and carries on.
      if (calls.reviewed > 0) {
        approvedFinish ??= structuredClone(masked.choices);
        if (calls.passed + calls.reviewed === 0) approvedFinish[position]!.finish_reason = 'stop';
      }
      if (calls.passed === 0) finish.finish_reason = 'stop';
    }
    const flush = this.chunk(name, flushes);
    const out = [...flush, ...this.chunk(name, agent), { event: name, data: masked }];
    this.differs =
      this.reviewedCalls > 0 && (approved.length > 0 || approvedFinish)
        ? [...flush, ...this.chunk(name, approved), { event: name, data: approvedFinish ? { ...masked, choices: approvedFinish } : masked }]
        : undefined;
    return out;
  }

  /** A chunk of the stream's envelope with these choices; none without choices. */
  private chunk(name: string | undefined, choices: Json[]): StreamedEvent[] {
    return choices.length > 0 ? [{ event: name, data: { ...envelopeOf(sentEvent(this.last!)), choices } }] : [];
  }

  /**
   * Most of a stream: a chunk whose one choice carries a text and nothing else that needs a step
   * of the general path (no tool call, no finish, no usage). The same result, with less work.
   */
  private plain(data: PlainChunk, key: string, field: string): Json {
    this.note(data);
    if (this.options.dropUsage) delete data.usage;
    const choice = data.choices[0];
    const text = choice.delta[field] as string;
    choice.delta[field] = '';
    const masked = this.json(data) as PlainChunk;
    this.last = masked;
    masked.choices[0].delta[field] = this.streams.push(key, text);
    return masked;
  }

  approvedInstead(): StreamedEvent[] | undefined {
    return this.differs;
  }

  reviewed(): boolean {
    return this.reviewedCalls > 0;
  }

  flush(): StreamedEvent[] {
    // A stream cut off before its finish: its tool calls were never complete, so never judged.
    this.calls.clear();
    const open = [...new Set(this.streams.open().map((key) => Number(key.split(':')[1])))];
    const choices = open.flatMap((index) => this.flushChoice(index, []));
    return choices.length > 0 && this.last ? [{ data: { ...envelopeOf(sentEvent(this.last)), choices } }] : [];
  }

  details(): AnswerDetails {
    return { ...this.answer, ...(this.reasons.length > 0 && { finishReason: this.reasons.join(',') }) };
  }

  /** A choice's delta with everything its streams still hold, added to `held`; [] when empty. */
  private flushChoice(index: number, held: Piece[]): Json[] {
    const byKey = new Map(held.map((p) => [p.key, p]));
    for (const key of this.streams.open(`choice:${index}:`)) {
      const rest = this.streams.end(key);
      const piece = byKey.get(key) ?? pieceOf(key);
      byKey.set(key, { ...piece, text: piece.text + rest });
    }
    const pieces = [...byKey.values()].filter((p) => p.text.length > 0);
    if (pieces.length === 0) return [];
    const delta: Json = {};
    for (const piece of pieces) setPath(delta, piece.path, piece.text);
    return [{ index, delta, finish_reason: null }];
  }

  private hold(choice: number, tool: number, call: Json): void {
    let calls = this.calls.get(choice);
    if (!calls) this.calls.set(choice, (calls = new Map()));
    const held = calls.get(tool) ?? { name: '', arguments: '', custom: false };
    calls.set(tool, held);
    if (call.id !== undefined) held.id = call.id;
    if (call.type !== undefined) held.type = call.type;
    const part = isObject(call.function) ? call.function : isObject(call.custom) ? call.custom : undefined;
    if (isObject(call.custom)) held.custom = true;
    if (typeof part?.name === 'string') held.name += part.name;
    if (typeof part?.arguments === 'string') held.arguments += part.arguments;
    if (typeof part?.input === 'string') held.arguments += part.input;
  }

  /**
   * A finishing choice's held tool calls, judged: the delta that carries what passes and what
   * replaces the rest, and the one with the calls under review passed (when there were any).
   */
  private judgeChoice(index: number): { agent?: Json; approved?: Json; passed: number; replaced: number; reviewed: number } {
    const calls = [...(this.calls.get(index)?.entries() ?? [])].sort(([a], [b]) => a - b).map(([, call]) => call);
    this.calls.delete(index);
    const agent: Array<Json | string> = [];
    const approved: Array<Json | string> = [];
    let passed = 0;
    let replaced = 0;
    let reviewed = 0;
    for (const held of calls) {
      const call: ProposedToolCall = chatCall(held.custom ? { custom: { name: held.name, input: held.arguments } } : { function: { name: held.name, arguments: held.arguments } })!;
      const verdict = this.options.judge(call);
      if (verdict.action === 'deny') replaced++;
      if (verdict.action === 'review') reviewed++;
      if (verdict.action === 'allow') passed++;
      const passing = verdict.action === 'allow' ? [agent, approved] : verdict.action === 'review' ? [approved] : [];
      const replacing = verdict.action === 'allow' ? [] : verdict.action === 'review' ? [agent] : [agent, approved];
      if (passing.length > 0) {
        const text = held.custom ? this.text(held.arguments) : this.maskedArguments(held.arguments);
        const body = held.custom ? { custom: { name: held.name, input: text } } : { function: { name: held.name, arguments: text } };
        const out = { ...(held.id !== undefined && { id: held.id }), type: held.type ?? (held.custom ? 'custom' : 'function'), ...body };
        for (const list of passing) list.push(out);
      }
      for (const list of replacing) list.push(replacedToolCallText(call, verdict));
    }
    this.reviewedCalls += reviewed;
    return { agent: callsDelta(agent), approved: reviewed > 0 ? callsDelta(approved) : undefined, passed, replaced, reviewed };
  }

  /** Arguments masked as JSON when they are JSON (escapes decoded), as text otherwise. */
  private maskedArguments(text: string): string {
    try {
      return JSON.stringify(this.json(JSON.parse(text)));
    } catch {
      return this.text(text);
    }
  }

  private text(value: string): string {
    const masked = this.masker.text(value);
    pushAll(this.findings, masked.findings);
    return masked.text;
  }

  /** The chunk's model and usage, and its choices' finish reasons, each kept apart. */
  private note(chunk: Json): void {
    if (chunk.usage != null) Object.assign(this.answer, usageDetails(chunk.usage));
    if (typeof chunk.model === 'string') this.answer.model = chunk.model;
    for (const reason of finishReasons(chunk.choices)) if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }

  private json(value: unknown): unknown {
    return this.events.mask(value);
  }
}

/**
 * The text field of a chunk with one choice whose delta holds that text, and perhaps its role,
 * and nothing more: no finish reason, no tool call, no usage. Undefined for any other chunk.
 */
function plainField(chunk: Json): string | undefined {
  if (!Array.isArray(chunk.choices) || chunk.choices.length !== 1 || chunk.usage != null) return undefined;
  const choice: unknown = chunk.choices[0];
  if (!isObject(choice) || choice.finish_reason != null || !isObject(choice.delta)) return undefined;
  let field: string | undefined;
  for (const key in choice.delta) {
    if (key === 'role' && typeof choice.delta.role === 'string') continue;
    if (field !== undefined || !TOP_TEXTS.has(key) || typeof choice.delta[key] !== 'string') return undefined;
    field = key;
  }
  return field;
}

/** The stream of a plain chunk's text. */
function streamKey(chunk: PlainChunk, field: string): string {
  const index = chunk.choices[0].index;
  return `choice:${typeof index === 'number' ? index : 0}:${field}`;
}

/** Takes the streamed texts out of each choice's delta (leaving '' in their place), and its tool calls (to `hold`). */
function takeTexts(choices: unknown[], hold: (choice: number, tool: number, call: Json) => void): Piece[] {
  const pieces: Piece[] = [];
  choices.forEach((choice, position) => {
    if (!isObject(choice) || !isObject(choice.delta)) return;
    const index = typeof choice.index === 'number' ? choice.index : position;
    const delta = choice.delta;
    for (const path of TEXT_PATHS) {
      const parent = path.length === 1 ? delta : delta[path[0]!];
      const field = path.at(-1)!;
      if (!isObject(parent) || typeof parent[field] !== 'string') continue;
      pieces.push({ position, key: `choice:${index}:${path.join('.')}`, path, text: parent[field] as string });
      parent[field] = '';
    }
    if (!Array.isArray(delta.tool_calls)) return;
    delta.tool_calls.forEach((call: unknown, j) => {
      if (isObject(call)) hold(index, typeof call.index === 'number' ? call.index : j, call);
    });
    delete delta.tool_calls;
  });
  return pieces;
}

/** A delta with the tool calls that pass (numbered from 0) and the texts that replace the others; undefined when empty. */
function callsDelta(items: Array<Json | string>): Json | undefined {
  const texts = items.filter((item): item is string => typeof item === 'string');
  const calls = items.filter((item): item is Json => typeof item !== 'string').map((call, index) => ({ index, ...call }));
  if (texts.length === 0 && calls.length === 0) return undefined;
  return { ...(texts.length > 0 && { content: texts.join('\n\n') }), ...(calls.length > 0 && { tool_calls: calls }) };
}

/** The piece a stream key stands for, when its choice had no text in the finishing chunk. */
function pieceOf(key: string): Piece {
  const [, , kind] = key.split(':');
  return { position: -1, key, path: kind!.split('.'), text: '' };
}

/** A chunk's fields other than its choices (and usage, which a flush must not repeat). */
function envelopeOf(chunk: Json): Json {
  const { choices: _choices, ...rest } = chunk;
  return 'usage' in rest ? { ...rest, usage: null } : rest;
}

function setPath(target: Json, path: Array<string | number>, value: string): void {
  let at: Record<string | number, unknown> = target;
  for (const step of path.slice(0, -1)) {
    if (!isObject(at[step]) && !Array.isArray(at[step])) at[step] = {};
    at = at[step] as Record<string | number, unknown>;
  }
  at[path.at(-1)!] = value;
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
