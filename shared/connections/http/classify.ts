// An http request in its own terms: `METHOD /path`, with the body text when it was read. Rules read
// the body as the upstream will: a JSON or form body's keys and values are added decoded, so that
// `\u0070rintenv` or `print%65nv` reads `printenv`.
import { bodyText } from '../body-text.js';
import { isFormType, isJsonType, parseContentType } from '../content-type.js';
import { headerRecord } from '../headers.js';
import type { AgentRequest } from '../kind.js';
import type { Operation } from '../operation.js';
import { promptParts, withParts, type PromptVocabulary } from '../prompt-parts.js';
import { formPairs, partsText, type RuleTexts } from '../rule-text.js';
import { methodOverride, undecodableBody } from './refusals.js';

export function classifyHttp(request: AgentRequest): Operation {
  const target = request.target!;
  const action = `${request.method} ${target.path}`;
  const query = target.search.replace(/^\?/, '');
  if (formPairs(query).some(([key]) => isOverrideKey(key))) throw methodOverride('a _method query parameter');
  return {
    kind: 'http',
    method: request.method,
    path: target.path,
    query,
    actions: [action],
    resources: [],
    flags: [],
    headers: headerRecord(request.headers),
    ...ruleBodyText(request),
    summary: `${action}${target.search}`,
    details: {},
  };
}

/** Every key and string is a part: an http API has no vocabulary the gateway knows. */
const EVERY_PART: PromptVocabulary = { apiKeys: new Set(), namingKeys: new Set(), dataKeys: new Set() };

/**
 * The body as sent, then (when decoding it shows something else) a line break and its decoded keys
 * and values joined as prompt parts are. A body declared JSON or a form must decode; an undeclared
 * one that parses as JSON is decoded too, for servers that parse whatever they are sent.
 */
function ruleBodyText(request: AgentRequest): RuleTexts {
  const bytes = request.body.bytes;
  if (!bytes || bytes.byteLength === 0) return { text: '' };
  const { type } = parseContentType(request.headers.get('content-type'));
  const declared = isJsonType(type) ? 'JSON' : isFormType(type) ? 'a form' : undefined;
  let raw: string;
  try {
    raw = declared ? new TextDecoder('utf-8', { fatal: true }).decode(bytes) : bodyText(bytes);
  } catch {
    throw undecodableBody(declared!);
  }
  if (declared === 'a form') {
    const pairs = formPairs(raw);
    if (pairs.some(([key]) => isOverrideKey(key))) throw methodOverride('a _method form field');
    return withParts(raw, partsText(pairs.map(([key, value]) => (value === undefined ? key : `${key}=${value}`))));
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    if (declared) throw undecodableBody(declared);
    return { text: raw };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some(isOverrideKey)) {
    throw methodOverride('a _method member of the JSON body');
  }
  return withParts(raw, partsText(promptParts(value, EVERY_PART)));
}

/**
 * `_method`, as method-override (Express), Rack, Laravel and Symfony read it, in any case, with a
 * `[…]` suffix, or spelled as PHP turns into it (leading spaces dropped, then ` `, `.` and a first
 * `[` that opens no suffix read as `_`: `.method`, `[method`).
 */
function isOverrideKey(key: string): boolean {
  const name = key.trimStart();
  const suffix = name.indexOf('[');
  return (suffix > 0 ? name.slice(0, suffix) : name).replace(/[ .[]/g, '_').toLowerCase() === '_method';
}
