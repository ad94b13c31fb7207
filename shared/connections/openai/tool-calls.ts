// The tool calls an OpenAI-style answer proposes, judged before the agent sees them: chat
// completions' `tool_calls` (and the legacy `function_call`), and the Responses API's
// `function_call`, `custom_tool_call`, `local_shell_call` and `shell_call` items. One the policy
// does not pass is removed and a text says why: in a chat message the text is added to its
// content and a finish reason of `tool_calls` becomes `stop` when no call is left; in a response
// the item is replaced by an assistant message item. When a call needs a review, the answer with
// that call passed is kept too, for the approval to hold.
import type { Masker } from '../../masking/index.js';
import { judgingAnswers, type JudgedAnswers } from '../judged-answer.js';
import type { JudgedToolCall, ProposedToolCall, ToolCallVerdict } from '../kind.js';
import { parsedInput, replacedToolCallText } from '../tool-calls.js';

type Json = Record<string, unknown>;
export type Judge = (call: ProposedToolCall) => ToolCallVerdict;

export type { JudgedAnswers };

/** A whole chat completion or response, with its tool calls judged; other JSON is masked as it is. */
export function judgingToolCalls(masker: Masker, judge: Judge, out: JudgedAnswers): Masker {
  return judgingAnswers(masker, out, (answer) => {
    if (!isObject(answer)) return undefined;
    // Most answers propose no call: nothing to judge, and no copy to keep.
    if (!proposesCalls(answer)) return { version: () => answer, review: false };
    const copy = structuredClone(answer);
    const verdicts: ToolCallVerdict[] = [];
    const note = noting(judge, out.judged);
    judgeAnswer(answer, (call) => {
      const verdict = note(call);
      verdicts.push(verdict);
      return verdict;
    });
    const review = verdicts.some((v) => v.action === 'review');
    if (review) {
      // The same calls in the same order: the verdicts again, with the reviewed calls passed.
      let i = 0;
      judgeAnswer(copy, () => {
        const verdict = verdicts[i++]!;
        return verdict.action === 'review' ? { ...verdict, action: 'allow' } : verdict;
      });
    }
    return { version: (passReview) => (passReview ? copy : answer), review };
  });
}

function proposesCalls(answer: Json): boolean {
  const inChoice = (choice: unknown) =>
    isObject(choice) && isObject(choice.message) && (Array.isArray(choice.message.tool_calls) || isObject(choice.message.function_call));
  return (Array.isArray(answer.choices) && answer.choices.some(inChoice)) || (Array.isArray(answer.output) && answer.output.some((item) => responseCall(item) !== undefined));
}

function judgeAnswer(answer: Json, judge: Judge): void {
  if (Array.isArray(answer.choices)) for (const choice of answer.choices) if (isObject(choice)) judgeChoice(choice, judge);
  if (Array.isArray(answer.output)) answer.output = judgeOutput(answer.output, judge);
}

/** The judge, recording each verdict. */
export function noting(judge: Judge, judged: JudgedToolCall[]): Judge {
  return (call) => {
    const verdict = judge(call);
    judged.push({ name: call.name, ...verdict });
    return verdict;
  };
}

function judgeChoice(choice: Json, judge: Judge): void {
  const message = choice.message;
  if (!isObject(message)) return;
  const texts: string[] = [];
  let passed = 0;
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls = message.tool_calls.filter((call: unknown) => {
      const proposed = chatCall(call);
      if (!proposed) return true;
      const verdict = judge(proposed);
      if (verdict.action === 'allow') {
        passed++;
        return true;
      }
      texts.push(replacedToolCallText(proposed, verdict));
      return false;
    });
    if ((message.tool_calls as unknown[]).length === 0) delete message.tool_calls;
  }
  if (isObject(message.function_call)) {
    const proposed = { name: String(message.function_call.name ?? ''), input: parsedInput(String(message.function_call.arguments ?? '')) };
    const verdict = judge(proposed);
    if (verdict.action === 'allow') passed++;
    else {
      texts.push(replacedToolCallText(proposed, verdict));
      delete message.function_call;
    }
  }
  if (texts.length === 0) return;
  message.content = [typeof message.content === 'string' ? message.content : '', ...texts].filter(Boolean).join('\n\n');
  if (passed === 0 && (choice.finish_reason === 'tool_calls' || choice.finish_reason === 'function_call')) choice.finish_reason = 'stop';
}

/** A chat tool call as proposed: function calls (JSON arguments) and custom tool calls (free text). */
export function chatCall(call: unknown): ProposedToolCall | undefined {
  if (!isObject(call)) return undefined;
  if (isObject(call.function)) return { name: String(call.function.name ?? ''), input: parsedInput(String(call.function.arguments ?? '')) };
  if (isObject(call.custom)) return { name: String(call.custom.name ?? ''), input: String(call.custom.input ?? '') };
  return undefined;
}

/** A Responses API output item that proposes a call the agent runs, as proposed; undefined for others. */
export function responseCall(item: unknown): ProposedToolCall | undefined {
  if (!isObject(item)) return undefined;
  if (item.type === 'function_call') return { name: String(item.name ?? ''), input: parsedInput(String(item.arguments ?? '')) };
  if (item.type === 'custom_tool_call') return { name: String(item.name ?? ''), input: String(item.input ?? '') };
  if (item.type === 'local_shell_call') return { name: 'local_shell', input: item.action };
  if (item.type === 'shell_call') return { name: 'shell', input: item.action };
  return undefined;
}

/** A response's output with each proposed call judged, replaced by a message item when not passed. */
export function judgeOutput(output: unknown[], judge: Judge): unknown[] {
  return output.map((item) => {
    const proposed = responseCall(item);
    if (!proposed) return item;
    const verdict = judge(proposed);
    return verdict.action === 'allow' ? item : replacementItem(item as Json, replacedToolCallText(proposed, verdict));
  });
}

/** The assistant message item that stands for a call not passed. */
export function replacementItem(item: Json, text: string): Json {
  return { type: 'message', id: `msg_${String(item.id ?? item.call_id ?? 'portcullis')}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
