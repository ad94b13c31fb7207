// The prompt text rules see, for the LLM kinds. Rather than list the fields that carry text to a
// model (messages, content blocks, names, tool results, tool definitions with their JSON schemas,
// documents, system prompts…) and miss the next one an API adds, the whole body is walked: every
// string is a part, and so is every object key the API does not define itself (the property names
// of a JSON schema, the names of prompt variables, metadata keys), in the order sent. Left out:
// what is not text — numbers, booleans, the identifier-shaped values of keys that name a model, a
// role, a type or an id, and binary data (base64 audio, images and files); a file given as base64
// or a data URL whose bytes are UTF-8 text is decoded and read. All of it, never a prefix: a rule
// that saw only the start of a prompt could be walked past with padding (the body itself is
// size-limited). partsText joins the parts so that splitting does not hide a word. Each kind gives
// its API's vocabulary.
import { partsText, type RuleTexts } from './rule-text.js';

export interface PromptVocabulary {
  /** Keys the API defines (and JSON Schema's keywords): structure, not text. */
  apiKeys: ReadonlySet<string>;
  /** Keys whose identifier-shaped string values name things rather than say them. */
  namingKeys: ReadonlySet<string>;
  /** Keys whose base64 values are binary data (audio, images, files, encrypted reasoning). */
  dataKeys: ReadonlySet<string>;
  /** Whether a data key's value in this object is text as it is (a plain-text document's `data`). */
  textData?: (parent: Readonly<Record<string, unknown>>) => boolean;
}

/** JSON Schema's keywords, which tool and output schemas use in every API. */
export const JSON_SCHEMA_KEYS =
  '$schema $id $ref $defs definitions title properties required items prefixItems additionalProperties patternProperties ' +
  'propertyNames enum const default examples anyOf oneOf allOf not if then else minimum maximum exclusiveMinimum ' +
  'exclusiveMaximum multipleOf minLength maxLength pattern minItems maxItems uniqueItems minProperties maxProperties nullable';

const IDENTIFIER = /^[\w.:/-]{1,256}$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function promptText(body: unknown, vocabulary: PromptVocabulary): RuleTexts {
  return partsText(promptParts(body, vocabulary));
}

/**
 * The body of a route the gateway does not know: as sent, then, when it is JSON, its parts as a
 * prompt's are, so that JSON escapes (`\u0044ROP`) hide nothing.
 */
export function unknownRouteText(raw: string, vocabulary: PromptVocabulary): RuleTexts {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { text: raw };
  }
  return withParts(raw, promptText(body, vocabulary));
}

/**
 * A body as sent, with the text of its parts for rules alone when that differs: decoded, the parts
 * are recorded as the body is (masked by its shape), never as text whose keys and values masking
 * could not tell apart.
 */
export function withParts(raw: string, parts: RuleTexts): RuleTexts {
  if (parts.text === '' || parts.text === raw) return { text: raw, matchText: parts.matchText };
  return { text: raw, matchText: parts.matchText === undefined ? parts.text : `${parts.text}\n${parts.matchText}` };
}

/** The parts of a request body, in order. Walked with a stack, so that deep nesting cannot overflow. */
export function promptParts(body: unknown, vocabulary: PromptVocabulary): string[] {
  const parts: string[] = [];
  const stack: Array<{ value: unknown; key?: string; parent?: Record<string, unknown> } | string> = [{ value: body }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      parts.push(item);
      continue;
    }
    const { value, key, parent } = item;
    if (typeof value === 'string') {
      const text = stringText(value, key, parent, vocabulary);
      if (text) parts.push(text);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key, parent });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, child] = entries[i]!;
        const own = !vocabulary.apiKeys.has(name);
        if (own && typeof child === 'string') {
          // A key and its text as one part, `password: …`: joined by a space alone, masking the
          // recorded text could not tell the value from prose.
          const text = stringText(child, name, value as Record<string, unknown>, vocabulary);
          stack.push(text ? `${name}: ${text}` : name);
          continue;
        }
        stack.push({ value: child, key: name, parent: value as Record<string, unknown> });
        if (own) stack.push(name);
      }
    }
  }
  return parts;
}

function stringText(value: string, key: string | undefined, parent: Record<string, unknown> | undefined, vocabulary: PromptVocabulary): string | undefined {
  if (key !== undefined && vocabulary.namingKeys.has(key) && IDENTIFIER.test(value)) return undefined;
  const dataUrl = /^data:[^,]*?(;base64)?,/i.exec(value);
  if (dataUrl) {
    const payload = value.slice(dataUrl[0].length);
    return dataUrl[1] ? decodedText(payload) : percentDecoded(payload);
  }
  if (key !== undefined && vocabulary.dataKeys.has(key) && BASE64.test(value) && !(parent && vocabulary.textData?.(parent))) return decodedText(value);
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
