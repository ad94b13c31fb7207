// The request body as it leaves for the LLM: masked as JSON (values only, so it stays a valid
// request; agents paste `.env` files into prompts), without logprobs (token-by-token text in the
// answer would carry a secret past the masker in pieces), and, for a streamed chat completion,
// asking for token usage so that it can be recorded.
import type { Finding, Masker } from '../../masking/index.js';
import { maskedOtherBody } from '../outgoing-other.js';

export interface Outgoing {
  bytes: Uint8Array;
  /** Findings in the prompt, located as `request:$.messages[1].content…`. */
  findings: Finding[];
  /** The gateway added stream_options.include_usage: the agent did not ask for usage. */
  askedUsage: boolean;
}

type Json = Record<string, unknown>;

/** The masked body to send, or undefined to send the agent's body as it is (empty, or bytes that are not text). */
export function outgoingBody(bytes: Uint8Array | undefined, action: string, masker: Masker, options: { streamUsage: boolean; contentType?: string }): Outgoing | undefined {
  if (!bytes || bytes.byteLength === 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Only an unknown route or an upload gets here (a prompt route with a bad body was refused).
    const other = maskedOtherBody(bytes, options.contentType, masker);
    return other && { ...other, askedUsage: false };
  }
  let askedUsage = false;
  if (isObject(body) && (action === 'chat.completions' || action === 'completions' || action === 'responses')) {
    const prompt = withoutLogprobs(body);
    const streamOptions = isObject(prompt.stream_options) ? prompt.stream_options : {};
    if (action === 'chat.completions' && options.streamUsage && prompt.stream === true && streamOptions.include_usage !== true) {
      prompt.stream_options = { ...streamOptions, include_usage: true };
      askedUsage = true;
    }
    body = prompt;
  }
  const masked = masker.json(body);
  return {
    bytes: new TextEncoder().encode(JSON.stringify(masked.value)),
    findings: masked.findings.map((f) => ({ ...f, location: `request:${f.location}` })),
    askedUsage,
  };
}

function withoutLogprobs(body: Json): Json {
  const { logprobs: _logprobs, top_logprobs: _top, ...rest } = body;
  // The Responses API asks for them by name in `include`.
  if (Array.isArray(rest.include)) rest.include = rest.include.filter((item) => !(typeof item === 'string' && item.includes('logprobs')));
  return rest;
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
