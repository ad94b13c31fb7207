// The Anthropic Messages API's vocabulary for the prompt walker (../prompt-parts.ts), so that rules
// see the system prompt, every text block, tool results, documents, tool definitions and earlier
// tool calls' inputs — and the next field the API adds — while ids, roles, types and binary data
// (images, PDFs, signatures, redacted thinking) are left out.
import { JSON_SCHEMA_KEYS, promptText as walk, unknownRouteText as walkUnknown, type PromptVocabulary } from '../prompt-parts.js';
import type { RuleTexts } from '../rule-text.js';

const NAMING_KEYS = new Set(
  'model role type id tool_use_id media_type file_id custom_id user_id service_tier container stop_reason'.split(' '),
);

const DATA_KEYS = new Set(['data', 'signature', 'encrypted_content', 'encrypted_index']);

/**
 * Keys the API defines: structure, not text. Any other key (a tool input's argument names, a
 * schema's property names, metadata keys) was chosen by whoever wrote the request, so it is a part.
 */
const API_KEYS = new Set(
  (
    // Messages
    'model messages role content type text system tools tool_choice name description input_schema input id tool_use_id ' +
    'is_error source media_type data url file_id title context citations enabled cache_control ttl max_tokens metadata ' +
    'user_id stop_sequences stream temperature top_k top_p thinking budget_tokens signature service_tier container ' +
    'disable_parallel_tool_use mcp_servers authorization_token tool_configuration allowed_tools output_format schema ' +
    'context_management edits trigger keep clear_at_least exclude_tools clear_tool_inputs value effort ' +
    // Server tools and their results
    'max_uses allowed_domains blocked_domains user_location city region country timezone display_width_px ' +
    'display_height_px display_number encrypted_content encrypted_index page_age retrieved_at error_code ' +
    'cited_text document_index document_title start_char_index end_char_index start_page_number end_page_number ' +
    'start_block_index end_block_index search_result_index server_name ' +
    // Batches
    'requests custom_id params ' +
    JSON_SCHEMA_KEYS
  ).split(' '),
);

const VOCABULARY: PromptVocabulary = {
  apiKeys: API_KEYS,
  namingKeys: NAMING_KEYS,
  dataKeys: DATA_KEYS,
  // A plain-text document source carries its text in `data`: a word there may look like base64.
  textData: (source) => source.type === 'text',
};

export const promptText = (body: unknown): RuleTexts => walk(body, VOCABULARY);

export const unknownRouteText = (raw: string): RuleTexts => walkUnknown(raw, VOCABULARY);
