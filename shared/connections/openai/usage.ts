// What the session log keeps of an answer: the model that answered, token usage and why it
// stopped. Read from a chat completion, a response (Responses API) or an embeddings list, whole
// or from the stream's usage chunk or completion event.

export type { AnswerDetails } from '../llm-stream.js';
import type { AnswerDetails } from '../llm-stream.js';

const TOKENS: Array<[string, string]> = [
  ['prompt_tokens', 'promptTokens'],
  ['input_tokens', 'promptTokens'],
  ['completion_tokens', 'completionTokens'],
  ['output_tokens', 'completionTokens'],
  ['total_tokens', 'totalTokens'],
];

export function answerDetails(value: unknown): AnswerDetails {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const answer = value as Record<string, unknown>;
  const details: AnswerDetails = { ...usageDetails(answer.usage) };
  if (typeof answer.model === 'string') details.model = answer.model;
  const reasons = finishReasons(answer.choices);
  if (reasons.length > 0) details.finishReason = reasons.join(',');
  else if (answer.object === 'response' && typeof answer.status === 'string') {
    const incomplete = (answer.incomplete_details as { reason?: unknown } | null | undefined)?.reason;
    details.finishReason = typeof incomplete === 'string' ? incomplete : answer.status;
  }
  return details;
}

export function usageDetails(usage: unknown): AnswerDetails {
  if (usage === null || typeof usage !== 'object') return {};
  const details: AnswerDetails = {};
  for (const [field, name] of TOKENS) {
    const n = (usage as Record<string, unknown>)[field];
    if (typeof n === 'number') details[name] = n;
  }
  return details;
}

/** Distinct finish reasons of the choices, in choice order. */
export function finishReasons(choices: unknown): string[] {
  if (!Array.isArray(choices)) return [];
  const reasons = choices.map((c) => (c as { finish_reason?: unknown } | null)?.finish_reason).filter((r): r is string => typeof r === 'string');
  return [...new Set(reasons)];
}
