// The text fields of the common token-streaming shapes, found in one parsed JSON event: each is
// one piece of a text that continues in later events, named by a key that stays the same across
// them (per content block, choice, item or part). And the keys an event ends, after which what
// is still held for them must go out. Recognised: Anthropic Messages (content_block_delta and its
// text, partial_json, thinking), OpenAI chat and legacy completions (choices[].delta / text),
// OpenAI Responses (*.delta events), Ollama (response, message.content / thinking), Gemini
// (candidates[].content.parts[].text), OpenAI Assistants (thread.message.delta, run step tool
// calls), Cohere v1 (text) and v2 (content-delta, tool-call-delta), Amazon Bedrock ConverseStream
// (contentBlockDelta), and the generic top-level text, delta,
// content (llama.cpp), completion and response strings of an event that says it is a stream's. (A text under a sensitive key, such as
// TGI's token.text, is masked whole with its event instead.)
type Json = Record<string, unknown>;
export type FieldPath = Array<string | number>;

export interface TextField {
  key: string;
  path: FieldPath;
}

export interface EventFields {
  fields: TextField[];
  /** Prefixes of the keys whose text ends with this event ('' ends them all). */
  ends: string[];
}

const GENERIC = ['text', 'delta', 'content', 'completion', 'response'];
/** Members by which a token stream's event says it is one, whose generic fields (GENERIC) are then pieces of one text. */
const STREAM_MARKERS = ['done', 'stop', 'is_finished', 'stop_reason', 'finish_reason', 'event_type'];
const DELTA_TEXT = ['text', 'partial_json', 'thinking', 'content', 'reasoning_content', 'reasoning', 'refusal'];
const CHOICE_TEXT: FieldPath[] = [['content'], ['refusal'], ['reasoning_content'], ['reasoning'], ['audio', 'transcript'], ['function_call', 'arguments']];
const MESSAGE_TEXT = ['content', 'thinking'];

export function eventFields(name: string | undefined, data: unknown): EventFields {
  const fields: TextField[] = [];
  const ends: string[] = [];
  if (!isObject(data)) return { fields, ends };
  const type = typeof data.type === 'string' ? data.type : (name ?? '');
  const add = (key: string, path: FieldPath) => {
    if (typeof at(data, path) === 'string') fields.push({ key, path });
  };

  // Anthropic: one text per content block, ended by its content_block_stop.
  if (type === 'content_block_delta' && isObject(data.delta)) {
    for (const field of DELTA_TEXT) add(`block:${String(data.index ?? 0)}:${field}`, ['delta', field]);
  } else if (type === 'content_block_stop') ends.push(`block:${String(data.index ?? 0)}:`);
  else if (type === 'message_stop' || type === 'error') ends.push('');

  // OpenAI Responses: one text per delta type, item and part, ended by its `.done` event.
  if (type.startsWith('response.') && typeof data.delta === 'string' && type.endsWith('.delta')) {
    fields.push({ key: responsesKey(type.slice(0, -'.delta'.length), data), path: ['delta'] });
  } else if (type.startsWith('response.') && type.endsWith('.done')) ends.push(responsesKey(type.slice(0, -'.done'.length), data));
  else if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') ends.push('');

  // OpenAI chat and legacy completions: per choice, ended by its finish_reason.
  if (Array.isArray(data.choices)) {
    data.choices.forEach((choice: unknown, position) => {
      if (!isObject(choice)) return;
      const index = String(choice.index ?? position);
      const base: FieldPath = ['choices', position];
      if (isObject(choice.delta)) {
        for (const path of CHOICE_TEXT) add(`choice:${index}:${path.join('.')}`, [...base, 'delta', ...path]);
        if (Array.isArray(choice.delta.tool_calls)) {
          choice.delta.tool_calls.forEach((call: unknown, j) => {
            if (isObject(call)) add(`choice:${index}:tool:${String(call.index ?? j)}`, [...base, 'delta', 'tool_calls', j, 'function', 'arguments']);
          });
        }
      }
      add(`choice:${index}:text`, [...base, 'text']);
      if (choice.finish_reason != null) ends.push(`choice:${index}:`);
    });
  }

  // Gemini: per candidate and part.
  if (Array.isArray(data.candidates)) {
    data.candidates.forEach((candidate: unknown, position) => {
      if (!isObject(candidate) || !isObject(candidate.content) || !Array.isArray(candidate.content.parts)) return;
      const index = String(candidate.index ?? position);
      candidate.content.parts.forEach((_part: unknown, j) => add(`candidate:${index}:part:${j}`, ['candidates', position, 'content', 'parts', j, 'text']));
      if (candidate.finishReason != null) ends.push(`candidate:${index}:`);
    });
  }

  // OpenAI Assistants: a message's text per content part (thread.message.delta), a run step's
  // tool call arguments (thread.run.step.delta), ended by the message's or the step's completion.
  const object = typeof data.object === 'string' ? data.object : type;
  if (object === 'thread.message.delta' && isObject(data.delta) && Array.isArray(data.delta.content)) {
    data.delta.content.forEach((part: unknown, j) => {
      if (isObject(part)) add(`assistant:${String(data.id)}:${String(part.index ?? j)}`, ['delta', 'content', j, 'text', 'value']);
    });
  } else if (object === 'thread.run.step.delta' && isObject(data.delta) && isObject(data.delta.step_details) && Array.isArray(data.delta.step_details.tool_calls)) {
    data.delta.step_details.tool_calls.forEach((call: unknown, j) => {
      if (!isObject(call)) return;
      const key = `step:${String(data.id)}:${String(call.index ?? j)}`;
      add(`${key}:arguments`, ['delta', 'step_details', 'tool_calls', j, 'function', 'arguments']);
      add(`${key}:input`, ['delta', 'step_details', 'tool_calls', j, 'code_interpreter', 'input']);
    });
  } else if (object === 'thread.message' || object === 'thread.run.step') {
    if (data.status !== 'in_progress') ends.push(`${object === 'thread.message' ? 'assistant' : 'step'}:${String(data.id)}:`);
  }

  // Cohere v2 chat: text and tool call arguments per content or tool call index, ended by its -end event.
  if (type === 'content-delta') add(`cohere:content:${String(data.index ?? 0)}:`, ['delta', 'message', 'content', 'text']);
  else if (type === 'tool-call-delta') add(`cohere:tool:${String(data.index ?? 0)}:`, ['delta', 'message', 'tool_calls', 'function', 'arguments']);
  else if (type === 'content-end' || type === 'tool-call-end') ends.push(`cohere:${type === 'content-end' ? 'content' : 'tool'}:${String(data.index ?? 0)}:`);
  else if (type === 'message-end') ends.push('');

  // Amazon Bedrock ConverseStream: per content block, text and a tool's input, ended by its stop.
  if (isObject(data.contentBlockDelta) && isObject(data.contentBlockDelta.delta)) {
    const block = `bedrock:${String(data.contentBlockDelta.contentBlockIndex ?? 0)}:`;
    add(`${block}text`, ['contentBlockDelta', 'delta', 'text']);
    add(`${block}tool`, ['contentBlockDelta', 'delta', 'toolUse', 'input']);
    add(`${block}reasoning`, ['contentBlockDelta', 'delta', 'reasoningContent', 'text']);
  } else if (isObject(data.contentBlockStop)) ends.push(`bedrock:${String(data.contentBlockStop.contentBlockIndex ?? 0)}:`);
  else if (isObject(data.messageStop)) ends.push('');

  // Ollama chat, and the generic shapes: one text per field, ended with the stream or `done`. A
  // generic field is a piece of a stream only in an event that says it is one (Ollama's `done`,
  // llama.cpp's `stop`, Cohere's `is_finished`, …): records that merely have a `text` (a bulk
  // upload's, a feed's) are each their own, and joined, a secret at one's end ran into the next.
  if (isObject(data.message)) for (const field of MESSAGE_TEXT) add(`message:${field}`, ['message', field]);
  if (!type.startsWith('response.') && STREAM_MARKERS.some((marker) => marker in data)) for (const field of GENERIC) add(`field:${field}`, [field]);
  if (data.done === true || data.is_finished === true || data.stop === true) ends.push('');
  return { fields, ends };
}

function responsesKey(kind: string, data: Json): string {
  return ['response', kind, data.item_id, data.output_index, data.content_index, data.summary_index].map((p) => (p === undefined ? '' : String(p))).join('|');
}

export function at(value: unknown, path: FieldPath): unknown {
  let here = value;
  for (const step of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, unknown>)[step];
  }
  return here;
}

export function setAt(value: unknown, path: FieldPath, text: string): void {
  let parent = value as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) parent = parent[path[i]!] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = text;
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
