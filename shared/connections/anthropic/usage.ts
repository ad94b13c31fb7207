// What the session log keeps of a Messages answer: the model, token usage and the stop reason,
// from a whole message or from the stream's message_start and message_delta events.
import type { AnswerDetails } from '../llm-stream.js';

export function usageDetails(usage: unknown): AnswerDetails {
  if (usage === null || typeof usage !== 'object') return {};
  const u = usage as Record<string, unknown>;
  const details: AnswerDetails = {};
  if (typeof u.input_tokens === 'number') details.promptTokens = u.input_tokens;
  if (typeof u.output_tokens === 'number') details.completionTokens = u.output_tokens;
  return details;
}

export function messageDetails(message: unknown): AnswerDetails {
  if (message === null || typeof message !== 'object') return {};
  const m = message as Record<string, unknown>;
  return {
    ...usageDetails(m.usage),
    ...(typeof m.model === 'string' && { model: m.model }),
    ...(typeof m.stop_reason === 'string' && { finishReason: m.stop_reason }),
  };
}
