// The prompt text rules see. Rather than list the fields that carry text to a model (messages,
// content parts, names, tool results, tool and function definitions with their JSON schemas,
// `response_format` and `text.format` schemas, `prompt.variables`, `instructions`, predicted
// output, embeddings and completions input…) and miss the next one the API adds, the whole body is
// walked: every string is a part, and so is every object key the API does not define itself (the
// property names of a JSON schema, the names of prompt variables, metadata keys), in the order
// sent. Left out: what is not text — numbers, booleans, the identifier-shaped values of keys that
// name a model, a role, a type or an id, and binary data (base64 audio, images and files); a file
// given as base64 or a data URL whose bytes are UTF-8 text is decoded and read. All of it, never a
// prefix: a rule that saw only the start of a prompt could be walked past with padding (the body
// itself is size-limited). partsText joins the parts so that splitting does not hide a word.
import { partsText } from '../rule-text.js';

/** Keys whose identifier-shaped string values name things rather than say them. */
const NAMING_KEYS = new Set(
  ('model role type format id object status detail call_id tool_call_id previous_response_id item_id approval_request_id file_id ' +
    'vector_store_ids container_id conversation service_tier encoding_format reasoning_effort effort verbosity truncation voice ' +
    'search_context_size quality size output_format moderation mode background input_fidelity').split(' '),
);
const IDENTIFIER = /^[\w.:/-]{1,256}$/;

/** Keys whose base64 values are binary data (audio, images, files, encrypted reasoning). */
const DATA_KEYS = new Set(['data', 'file_data', 'encrypted_content', 'result', 'b64_json']);
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

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
    // JSON Schema keywords
    '$schema $id $ref $defs definitions title properties required items prefixItems additionalProperties patternProperties ' +
    'propertyNames enum const default examples anyOf oneOf allOf not if then else minimum maximum exclusiveMinimum ' +
    'exclusiveMaximum multipleOf minLength maxLength pattern minItems maxItems uniqueItems minProperties maxProperties nullable'
  ).split(' '),
);

export function promptText(body: unknown): string {
  return partsText(promptParts(body));
}

/**
 * The body of a route the gateway does not know (assistants' threads, files…): as sent, then, when
 * it is JSON, its parts as a prompt's are, so that JSON escapes (`\u0044ROP`) hide nothing.
 */
export function unknownRouteText(raw: string): string {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return raw;
  }
  const parts = promptText(body);
  return parts === '' || parts === raw ? raw : `${raw}\n${parts}`;
}

/** The parts of a request body, in order. Walked with a stack, so that deep nesting cannot overflow. */
export function promptParts(body: unknown): string[] {
  const parts: string[] = [];
  const stack: Array<{ value: unknown; key?: string } | string> = [{ value: body }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      parts.push(item);
      continue;
    }
    const { value, key } = item;
    if (typeof value === 'string') {
      const text = stringText(value, key);
      if (text) parts.push(text);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, child] = entries[i]!;
        stack.push({ value: child, key: name });
        if (!API_KEYS.has(name)) stack.push(name);
      }
    }
  }
  return parts;
}

/** Whether the prompt is given (in part) as token ids, which rules cannot read. */
export function hasTokenInput(body: Record<string, unknown>): boolean {
  const tokens = (value: unknown) => Array.isArray(value) && value.length > 0 && value.some((item) => typeof item === 'number' || (Array.isArray(item) && item.some((n) => typeof n === 'number')));
  return tokens(body.input) || tokens(body.prompt);
}

function stringText(value: string, key: string | undefined): string | undefined {
  if (key !== undefined && NAMING_KEYS.has(key) && IDENTIFIER.test(value)) return undefined;
  const dataUrl = /^data:[^,]*?(;base64)?,/i.exec(value);
  if (dataUrl) {
    const payload = value.slice(dataUrl[0].length);
    return dataUrl[1] ? decodedText(payload) : percentDecoded(payload);
  }
  if (key !== undefined && DATA_KEYS.has(key) && BASE64.test(value)) return decodedText(value);
  return value;
}

/** Base64 data as text when its bytes are UTF-8 text (a text file); binary data is not text. */
function decodedText(base64: string): string | undefined {
  const encoding = base64.includes('-') || base64.includes('_') ? 'base64url' : 'base64';
  // An image or a PDF shows itself in its first bytes: decode them before the rest.
  if (!isText(Buffer.from(base64.slice(0, 4096), encoding), true)) return undefined;
  const bytes = Buffer.from(base64, encoding);
  return isText(bytes, false) ? new TextDecoder().decode(bytes) : undefined;
}

function isText(bytes: Uint8Array, partial: boolean): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: partial });
    return true;
  } catch {
    return false;
  }
}

function percentDecoded(payload: string): string {
  try {
    return decodeURIComponent(payload);
  } catch {
    return payload;
  }
}
