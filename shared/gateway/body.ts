// Reads an agent's request body under the size limit. Small bodies, and bodies that rules or the
// connection kind must read, are buffered; large ones stream upstream, still under the limit.
import { isFormType, isJsonType, paramValues, parseContentType } from '../connections/content-type.js';
import type { RequestBody } from '../connections/kind.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../connections/json-depth.js';
import { limitStream, readAll } from '../platform/bytes.js';
import { bodyTooLarge } from '../platform/refusals.js';
import { bodyTooDeep, unsupportedBody } from './refusals.js';

/** Bodies up to this size are buffered so the session log can keep their masked copy. */
export const BUFFER_BELOW = 256 * 1024;

export interface IncomingBody {
  method: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
}

export async function readBody(request: IncomingBody, options: { mustRead: boolean; maxBytes: number }): Promise<RequestBody> {
  // Rules, masking and the session log read the body as UTF-8 text; a compressed or otherwise
  // encoded body would be judged as noise and forwarded as the real thing.
  const encoding = request.headers.get('content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') throw unsupportedBody(`Content-Encoding "${encoding}" is not accepted; send the body uncompressed.`);
  const contentType = parseContentType(request.headers.get('content-type'));
  // A form is always read: the gateway looks in it for a `_method` override (http kind).
  const mustRead = options.mustRead || isFormType(contentType.type);
  if (mustRead) refuseUnreadable(request.headers.get('content-type') ?? '', contentType);
  const declared = request.headers.has('content-length') ? Number(request.headers.get('content-length')) : -1;
  if (declared > options.maxBytes) throw bodyTooLarge(options.maxBytes);
  if (!request.body || request.method === 'GET' || request.method === 'HEAD') return { bytes: new Uint8Array(0), length: 0 };
  if (!mustRead && (declared < 0 || declared > BUFFER_BELOW)) {
    return { stream: limitStream(request.body, options.maxBytes), length: declared };
  }
  const bytes = await readAll(request.body, options.maxBytes);
  if (looksLikeJson(bytes, contentType.type) && jsonTooDeep(bytes)) {
    throw bodyTooDeep(MAX_JSON_DEPTH);
  }
  return { bytes, length: bytes.byteLength };
}

const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii']);

/**
 * A body rules read must be read as the upstream will: a charset other than UTF-8 (however the
 * parameter is spelled: `charset = utf-7`, `CHARSET="UTF-16LE"`, `charset*=`) would be judged as
 * one text and decoded upstream as another, and a Content-Type the gateway cannot read might name one.
 */
function refuseUnreadable(header: string, contentType: ReturnType<typeof parseContentType>): void {
  if (contentType.malformed) throw unsupportedBody(`Content-Type "${header}" is not a media type the gateway can read; send one type, with parameters as name=value.`);
  const other = paramValues(contentType, 'charset').find((charset) => !UTF8.has(charset));
  if (other !== undefined) throw unsupportedBody(`charset "${other}" is not accepted; send UTF-8.`);
}

/** Declared as JSON, or read as JSON by a kind that ignores the content type (it starts like JSON). */
function looksLikeJson(bytes: Uint8Array, type: string): boolean {
  if (isJsonType(type)) return true;
  const first = bytes.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf);
  return first === 0x7b || first === 0x5b;
}
