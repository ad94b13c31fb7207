// Chat completion chunks, streamed. Per choice, the delta's texts (content, refusal, reasoning,
// audio transcript, each tool call's arguments) run through their own stream maskers; the rest
// of each chunk is masked as JSON. When a choice finishes, the text it still held goes out in a
// delta just before its finish chunk.
import type { Finding, Masker } from '../../masking/index.js';
import { TextStreams, type DeltaHandler, type StreamedEvent } from '../llm-stream.js';
import { answerDetails, finishReasons, type AnswerDetails } from './usage.js';

type Json = Record<string, unknown>;

/** Streamed text fields of a delta, by path. */
const TEXT_PATHS = [['content'], ['refusal'], ['reasoning_content'], ['reasoning'], ['audio', 'transcript'], ['function_call', 'arguments']];

interface Piece {
  /** Position of the choice in the chunk (-1 for a flush). */
  position: number;
  key: string;
  /** Where the text sits in the delta. */
  path: Array<string | number>;
  /** For tool-call arguments: the tool call's index. */
  tool?: number;
  text: string;
}

export interface ChatStreamOptions {
  /** The gateway asked for usage itself: the usage chunk and fields are not the agent's to see. */
  dropUsage: boolean;
}

export class ChatDeltas implements DeltaHandler {
  private readonly streams: TextStreams;
  private envelope: Json | undefined;
  private answer: AnswerDetails = {};
  private readonly reasons: string[] = [];

  constructor(
    private readonly masker: Masker,
    private readonly findings: Finding[],
    private readonly options: ChatStreamOptions,
  ) {
    this.streams = new TextStreams(masker, findings);
  }

  event(name: string | undefined, data: unknown): StreamedEvent[] {
    if (!isObject(data) || !Array.isArray(data.choices)) return [{ event: name, data: this.json(data) }];
    const choices: unknown[] = data.choices;
    this.note(data);
    if (this.options.dropUsage) {
      if (choices.length === 0 && isObject(data.usage)) return [];
      delete data.usage;
    }
    const pieces = takeTexts(choices);
    const masked = this.json(data) as Json & { choices: Json[] };
    this.envelope = envelopeOf(masked);

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
    const flush = flushes.length > 0 ? [{ event: name, data: { ...this.envelope, choices: flushes } }] : [];
    return [...flush, { event: name, data: masked }];
  }

  flush(): StreamedEvent[] {
    const open = [...new Set(this.streams.open().map((key) => Number(key.split(':')[1])))];
    const choices = open.flatMap((index) => this.flushChoice(index, []));
    return choices.length > 0 && this.envelope ? [{ data: { ...this.envelope, choices } }] : [];
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
    const tools = new Map<number, Json>();
    for (const piece of pieces) {
      if (piece.tool === undefined) setPath(delta, piece.path, piece.text);
      else tools.set(piece.tool, { index: piece.tool, function: { arguments: piece.text } });
    }
    if (tools.size > 0) delta.tool_calls = [...tools.values()];
    return [{ index, delta, finish_reason: null }];
  }

  private note(chunk: Json): void {
    const details = answerDetails(chunk);
    delete details.finishReason;
    this.answer = { ...this.answer, ...details };
    for (const reason of finishReasons(chunk.choices)) if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }

  private json(value: unknown): unknown {
    const masked = this.masker.json(value);
    this.findings.push(...masked.findings);
    return masked.value;
  }
}

/** Takes the streamed texts out of each choice's delta (leaving '' in their place). */
function takeTexts(choices: unknown[]): Piece[] {
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
      if (!isObject(call) || !isObject(call.function) || typeof call.function.arguments !== 'string') return;
      const tool = typeof call.index === 'number' ? call.index : j;
      pieces.push({ position, key: `choice:${index}:tool:${tool}`, path: ['tool_calls', j, 'function', 'arguments'], tool, text: call.function.arguments });
      call.function.arguments = '';
    });
  });
  return pieces;
}

/** The piece a stream key stands for, when its choice had no text in the finishing chunk. */
function pieceOf(key: string): Piece {
  const [, , kind, tool] = key.split(':');
  if (kind === 'tool') return { position: -1, key, path: [], tool: Number(tool), text: '' };
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
