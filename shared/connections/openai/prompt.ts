// The OpenAI APIs' vocabulary for the prompt walker (../prompt-parts.ts): which keys are the API's
// own structure, which name things, which carry binary data.
import { promptText as walk, unknownRouteText as walkUnknown, JSON_SCHEMA_KEYS, type PromptVocabulary } from '../prompt-parts.js';
import type { RuleTexts } from '../rule-text.js';

/** Keys whose identifier-shaped string values name things rather than say them. */
const NAMING_KEYS = new Set(
  ('model role type format id object status detail call_id tool_call_id previous_response_id item_id approval_request_id file_id ' +
    'vector_store_ids container_id conversation service_tier encoding_format reasoning_effort effort verbosity truncation voice ' +
    'search_context_size quality size output_format moderation mode background input_fidelity').split(' '),
);

/** Keys whose base64 values are binary data (audio, images, files, encrypted reasoning). */
const DATA_KEYS = new Set(['data', 'file_data', 'encrypted_content', 'result', 'b64_json']);

/**
 * Keys the API defines (and JSON Schema's keywords): structure, not text. Any other key was
 * chosen by whoever wrote the request and reaches the model, so it is a part.
 */
const API_KEYS = new Set(
  (
    // Chat completions and (legacy) completions
    'model messages role content name refusal tool_calls tool_call_id function_call function arguments audio id type text ' +
    'image_url url detail input_audio data format file file_data file_id filename tools tool_choice functions parameters ' +
    'description strict response_format json_schema schema prediction stream stream_options include_usage include_obfuscation ' +
    'temperature top_p n stop max_tokens max_completion_tokens presence_penalty frequency_penalty logit_bias logprobs ' +
    'top_logprobs user seed service_tier store metadata modalities voice reasoning_effort verbosity web_search_options ' +
    'user_location approximate city country region timezone search_context_size parallel_tool_calls prompt_cache_key ' +
    'safety_identifier custom grammar definition syntax allowed_tools mode prompt suffix echo best_of ' +
    // Responses
    'instructions input output call_id status summary encrypted_content previous_response_id conversation variables version ' +
    'reasoning effort generate_summary include max_output_tokens max_tool_calls background truncation context_management ' +
    'server_label server_url server_description connector_id headers authorization require_approval always never tool_names ' +
    'vector_store_ids filters ranking_options ranker score_threshold max_num_results container file_ids action command env ' +
    'working_directory timeout_ms user operation diff path queries results annotations code outputs quality size ' +
    'partial_images output_format output_compression moderation input_fidelity input_image_mask display_width display_height ' +
    'environment pending_safety_checks acknowledged_safety_checks error approval_request_id approve reason item_id logs ' +
    // Embeddings
    'encoding_format dimensions ' +
    JSON_SCHEMA_KEYS
  ).split(' '),
);

const VOCABULARY: PromptVocabulary = { apiKeys: API_KEYS, namingKeys: NAMING_KEYS, dataKeys: DATA_KEYS };

export const promptText = (body: unknown): RuleTexts => walk(body, VOCABULARY);

/** The body of an OpenAI route the gateway does not know (assistants' threads, files…). */
export const unknownRouteText = (raw: string): RuleTexts => walkUnknown(raw, VOCABULARY);

/** Whether the prompt is given (in part) as token ids, which rules cannot read. */
export function hasTokenInput(body: Record<string, unknown>): boolean {
  const tokens = (value: unknown) => Array.isArray(value) && value.length > 0 && value.some((item) => typeof item === 'number' || (Array.isArray(item) && item.some((n) => typeof n === 'number')));
  return tokens(body.input) || tokens(body.prompt);
}
