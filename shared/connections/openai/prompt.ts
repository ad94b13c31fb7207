// The prompt text rules see: every message's text (system, user, assistant, tool results, and the
// arguments of earlier tool calls), multi-part text parts, the tools' descriptions, a predicted
// output, a responses call's `instructions` and `input` items, an embeddings call's input. Images,
// audio and files are not text and are skipped. All of it, never a prefix: a rule that saw only
// the start of a prompt could be walked past with padding (the body itself is size-limited).
import type { KnownAction } from './routes.js';

/** Keys whose string values (or arrays of strings) are prompt text, wherever they appear. */
const TEXT_KEYS = new Set(['content', 'text', 'refusal', 'arguments', 'output', 'input', 'instructions', 'description']);

export function promptText(action: KnownAction, body: Record<string, unknown>): string {
  const parts: string[] = [];
  if (action === 'chat.completions') collect({ messages: body.messages, tools: body.tools, prediction: body.prediction }, false, parts);
  else if (action === 'responses') collect({ instructions: body.instructions, input: body.input, tools: body.tools }, false, parts);
  else if (action === 'embeddings') collect({ input: body.input }, false, parts);
  return parts.join('\n');
}

function collect(value: unknown, isText: boolean, parts: string[]): void {
  if (typeof value === 'string') {
    if (isText && value.length > 0) parts.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, isText, parts);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) collect(item, TEXT_KEYS.has(key), parts);
  }
}
