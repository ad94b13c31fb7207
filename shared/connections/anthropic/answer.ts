// A whole (not streamed) Messages answer: each `tool_use` block is judged on the input the model
// wrote, before masking; one the policy does not pass is replaced by a text block saying why, and
// a stop reason of `tool_use` becomes `end_turn` when no tool call is left. Then the answer is
// masked as JSON like any other.
import type { Masker } from '../../masking/index.js';
import type { JudgedToolCall, ProposedToolCall, ToolCallVerdict } from '../kind.js';
import { replacedToolCallText } from '../tool-calls.js';

type Json = Record<string, unknown>;

export function judgingToolCalls(masker: Masker, judge: (call: ProposedToolCall) => ToolCallVerdict, judged: JudgedToolCall[]): Masker {
  return {
    ...masker,
    withSecrets: (secrets) => judgingToolCalls(masker.withSecrets(secrets), judge, judged),
    auto(body, contentType) {
      let answer: unknown;
      try {
        answer = JSON.parse(body);
      } catch {
        return masker.auto(body, contentType);
      }
      if (!isObject(answer) || !Array.isArray(answer.content)) return masker.auto(body, contentType);
      let passed = 0;
      let replaced = 0;
      answer.content = answer.content.map((block: unknown) => {
        if (!isObject(block) || block.type !== 'tool_use') return block;
        const call: ProposedToolCall = { name: typeof block.name === 'string' ? block.name : '', input: block.input };
        const verdict = judge(call);
        judged.push({ name: call.name, ...verdict });
        if (verdict.action === 'allow') {
          passed++;
          return block;
        }
        replaced++;
        return { type: 'text', text: replacedToolCallText(call, verdict) };
      });
      if (answer.stop_reason === 'tool_use' && replaced > 0 && passed === 0) answer.stop_reason = 'end_turn';
      const masked = masker.json(answer);
      return { text: JSON.stringify(masked.value), findings: masked.findings };
    },
  };
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
