// A whole (not streamed) Messages answer: each `tool_use` block is judged on the input the model
// wrote, before masking; one the policy does not pass is replaced by a text block saying why, and
// a stop reason of `tool_use` becomes `end_turn` when no tool call is left. Then the answer is
// masked as JSON like any other. When a call needs a review, the answer with that call passed is
// kept too, for the approval to hold.
import type { Masker } from '../../masking/index.js';
import { judgingAnswers, type JudgedAnswers } from '../judged-answer.js';
import type { ProposedToolCall, ToolCallVerdict } from '../kind.js';
import { replacedToolCallText } from '../tool-calls.js';

type Json = Record<string, unknown>;

export type { JudgedAnswers };

export function judgingToolCalls(masker: Masker, judge: (call: ProposedToolCall) => ToolCallVerdict, out: JudgedAnswers): Masker {
  return judgingAnswers(masker, out, (answer) => {
    if (!isObject(answer) || !Array.isArray(answer.content)) return undefined;
    const verdicts = answer.content.map((block: unknown) => {
      if (!isObject(block) || block.type !== 'tool_use') return undefined;
      const call: ProposedToolCall = { name: typeof block.name === 'string' ? block.name : '', input: block.input };
      const verdict = judge(call);
      out.judged.push({ name: call.name, ...verdict });
      return { call, verdict };
    });
    const version = (passReview: boolean) => {
      let passed = 0;
      let replaced = 0;
      const content = (answer.content as unknown[]).map((block, i) => {
        const judged = verdicts[i];
        if (!judged) return block;
        if (judged.verdict.action === 'allow' || (passReview && judged.verdict.action === 'review')) {
          passed++;
          return block;
        }
        replaced++;
        return { type: 'text', text: replacedToolCallText(judged.call, judged.verdict) };
      });
      const stop = answer.stop_reason === 'tool_use' && replaced > 0 && passed === 0 ? 'end_turn' : answer.stop_reason;
      return { ...answer, content, stop_reason: stop };
    };
    return { version, review: verdicts.some((v) => v?.verdict.action === 'review') };
  });
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
