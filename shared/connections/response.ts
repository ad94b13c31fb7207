// Masks an upstream's answer on its way to the agent. JSON of known, bounded size is masked as
// JSON (key names, nested JSON and base64 text included); Server-Sent Events and NDJSON stream
// event by event (a token stream's text masked across events); other text streams through the
// streaming masker. What the gateway cannot judge is refused unless the connection says to pass
// it: binary (passBinary), and streams of an unknown format or content encoding
// (passUnknownStreams). Every path counts the upstream's bytes and keeps a bounded masked copy
// for the session log.
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Readable } from 'node:stream';
import { ByteMasker, NdjsonMasker, type Finding, type Masker, type StreamMasker } from '../masking/index.js';
import { paramValues, parseContentType } from './content-type.js';
import { agentResponseHeaders, maskedHeaderValue } from './headers.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth.js';
import type { GatewayResponse, ResponseRecord } from './kind.js';
import type { OperationDetail } from './operation.js';
import { unmaskableNesting, unmaskableNotText, unmaskableResponse, upstreamTimeout } from './refusals.js';
import { UpstreamStalled } from './upstream-request.js';
import { truncateUtf8 } from '../platform/bytes.js';
import { mapStream } from '../platform/map-stream.js';
import { readableToWeb } from '../platform/readable-to-web.js';
import { pushAll } from '../platform/arrays.js';

/** JSON answers up to this size are buffered and masked as JSON; larger ones stream as text. */
export const JSON_BUFFER_LIMIT = 8 * 1024 * 1024;

export type BodyKind = 'json' | 'sse' | 'ndjson' | 'text' | 'binary';

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines', 'application/json-seq', 'application/stream+json'];

export function bodyKind(contentType: string | null): BodyKind {
  if (!contentType) return 'text';
  const parsed = parseContentType(contentType);
  const type = parsed.type;
  // Text in another charset (`charset = utf-16`, however written) cannot be masked as UTF-8.
  if (paramValues(parsed, 'charset').some((charset) => charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii')) return 'binary';
  if (type === 'text/event-stream') return 'sse';
  if (NDJSON_TYPES.includes(type)) return 'ndjson';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (
    type.startsWith('text/') ||
    type.endsWith('+xml') ||
    ['application/xml', 'application/javascript', 'application/x-www-form-urlencoded', 'application/yaml', 'application/graphql'].includes(type)
  ) {
    return 'text';
  }
  return 'binary';
}

export interface MaskOptions {
  masker: Masker;
  captureBytes: number;
  /** Pass binary bodies of a declared length unmasked instead of refusing them. */
  passBinary: boolean;
  /**
   * Pass unmasked what streams in a format the gateway cannot judge (a binary type without a
   * declared length, an unknown content encoding) instead of refusing it.
   */
  passUnknownStreams?: boolean;
  connection: string;
  /** Headers already prepared for the agent (defaults to the upstream's, filtered). */
  headers?: Headers;
  details?: Record<string, OperationDetail>;
  /** Masks Server-Sent Events with the kind's own stream masker (e.g. per LLM delta) instead of line by line. */
  sse?: () => StreamMasker;
}

export async function maskResponse(upstream: Response, options: MaskOptions): Promise<GatewayResponse> {
  const findings: Finding[] = [];
  const headers = options.headers ?? agentResponseHeaders(upstream.headers);
  maskHeaders(headers, options.masker, findings);
  const contentType = upstream.headers.get('content-type') ?? undefined;
  // What is said of the answer's type and encoding, to the agent and in the log, is masked too:
  // an upstream may echo anything in them, the connection's own credential included.
  const shownType = contentType === undefined ? undefined : (headers.get('content-type') ?? maskedHeaderValue(options.masker, 'content-type', contentType).value);
  const status = upstream.status;
  const record = (body: string, bytes: number): ResponseRecord => ({
    findings,
    payload: { body, bytes, contentType: shownType, status },
    details: options.details ?? {},
  });

  if (!upstream.body) return { status, headers, body: null, completion: Promise.resolve(record('', 0)) };

  const kind = bodyKind(upstream.headers.get('content-type'));
  const encoding = (upstream.headers.get('content-encoding') ?? '').trim().toLowerCase();
  const unknownEncoding = encoding !== '' && encoding !== 'identity' && !CODECS.has(encoding);
  const streamed = !upstream.headers.has('content-length');
  const passes = options.passUnknownStreams === true || (kind === 'binary' && !unknownEncoding && !streamed && options.passBinary);
  if ((kind === 'binary' || unknownEncoding) && !passes) {
    await upstream.body.cancel();
    const shownEncoding = unknownEncoding ? maskedHeaderValue(options.masker, 'content-encoding', encoding).value : encoding;
    const what = unknownEncoding ? `a body in the content encoding "${shownEncoding}"` : streamed ? `a stream of ${shownType ?? 'unknown type'}` : (shownType ?? 'a binary body');
    const optOut = unknownEncoding || streamed ? 'streams: { unknown: pass }' : 'passBinary';
    throw unmaskableResponse(options.connection, what, optOut);
  }
  if (kind === 'binary' || unknownEncoding) {
    const counted = countBytes(upstream.body);
    const binary = (n: number) => record(`[binary, ${n} bytes]`, n);
    return { status, headers, body: counted.stream, completion: counted.total.then(binary), partial: () => binary(counted.sofar()) };
  }

  let decoded = decode(upstream.body, upstream.headers.get('content-encoding'));
  if (kind === 'json') {
    const head = await readUpTo(decoded, JSON_BUFFER_LIMIT).catch((error: unknown) => {
      throw error instanceof UpstreamStalled ? upstreamTimeout(options.connection, error.timeoutMs) : error;
    });
    // Masking walks JSON recursively: an answer too deep to walk is refused, not passed unmasked.
    if (head.complete && jsonTooDeep(head.bytes)) {
      throw unmaskableNesting(options.connection, MAX_JSON_DEPTH);
    }
    if (head.complete) {
      if (!options.passUnknownStreams && head.bytes.includes(0)) throw unmaskableNotText(options.connection, shownType);
      const masked = maskWhole(new TextDecoder().decode(head.bytes), contentType, options.masker);
      pushAll(findings, masked.findings);
      const body = new TextEncoder().encode(masked.text);
      headers.set('content-length', String(body.byteLength));
      return { status, headers, body, completion: Promise.resolve(record(masked.text, head.bytes.byteLength)) };
    }
    // Too large to hold: it streams through the text masker instead.
    decoded = head.stream;
  }

  // Counted, masked and kept for the record in one step: each web stream in a chain costs its own
  // promise turns per chunk.
  const capture = captureText(options.captureBytes);
  const onFindings = (f: Finding[]) => pushAll(findings, f);
  const own = kind === 'sse' ? options.sse : undefined;
  const masking = own
    ? new ByteMasker({ ...options.masker, stream: own }, { onFindings })
    : new ByteMasker(options.masker, { sse: kind === 'sse', ndjson: kind === 'ndjson', textOnly: !options.passUnknownStreams, onFindings });
  let total = 0;
  let counted!: (bytes: number) => void;
  const bytes = new Promise<number>((resolve) => (counted = resolve));
  const pass = (out: Uint8Array | undefined, enqueue: (out: Uint8Array) => void) => {
    if (!out) return;
    capture.keep(out);
    enqueue(out);
  };
  const body = mapStream<Uint8Array, Uint8Array>(decoded, {
    transform(chunk, enqueue) {
      total += chunk.byteLength;
      pass(masking.push(chunk), enqueue);
    },
    flush(enqueue) {
      pass(masking.end(), enqueue);
      counted(total);
      capture.end();
    },
  });
  return {
    status,
    headers,
    body,
    completion: Promise.all([bytes, capture.text]).then(([n, text]) => record(text, n)),
    partial: () => record(capture.sofar(), total),
  };
}

/**
 * A whole JSON answer, masked as JSON; one that does not parse as a single value may be JSON
 * lines (a token stream served as application/json), masked line by line across lines.
 */
function maskWhole(text: string, contentType: string | undefined, masker: Masker): { text: string; findings: Finding[] } {
  try {
    JSON.parse(text);
  } catch {
    const lines = new NdjsonMasker(masker);
    const masked = lines.push(text) + lines.end();
    return { text: masked, findings: lines.findings };
  }
  return masker.auto(text, contentType);
}

/** Reads a stream up to `limit` bytes: all of it, or what was read plus a stream of everything. */
async function readUpTo(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<{ complete: true; bytes: Uint8Array } | { complete: false; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { complete: true, bytes: Buffer.concat(chunks) };
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) break;
  }
  return {
    complete: false,
    stream: new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
      },
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    }),
  };
}

function maskHeaders(headers: Headers, masker: Masker, findings: Finding[]): void {
  headers.forEach((value, name) => {
    const masked = maskedHeaderValue(masker, name, value);
    if (masked.findings.length === 0) return;
    headers.set(name, masked.value);
    pushAll(findings, masked.findings.map((f) => ({ ...f, location: `header:${name}` })));
  });
}

const CODECS = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

function decode(body: ReadableStream<Uint8Array>, encoding: string | null): ReadableStream<Uint8Array> {
  const codec = (encoding ?? '').trim().toLowerCase();
  const decoder =
    codec === 'gzip' || codec === 'x-gzip' ? createGunzip() : codec === 'deflate' ? createInflate() : codec === 'br' ? createBrotliDecompress() : undefined;
  if (!decoder) return body;
  const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  // pipe() does not pass on a failure: an upstream lost (or stalled) mid-body must fail the decoded stream too.
  source.once('error', (error) => decoder.destroy(error));
  return readableToWeb(source.pipe(decoder));
}

function countBytes(body: ReadableStream<Uint8Array>): { stream: ReadableStream<Uint8Array>; total: Promise<number>; sofar: () => number } {
  let total = 0;
  let done!: (n: number) => void;
  const settled = new Promise<number>((resolve) => (done = resolve));
  const stream = mapStream<Uint8Array, Uint8Array>(body, {
    transform(chunk, enqueue) {
      total += chunk.byteLength;
      enqueue(chunk);
    },
    flush: () => done(total),
  });
  return { stream, total: settled, sofar: () => total };
}

/** Keeps the first `limit` bytes of what passes as text for the record. */
function captureText(limit: number): { keep(chunk: Uint8Array): void; end(): void; text: Promise<string>; sofar: () => string } {
  const kept: Uint8Array[] = [];
  let size = 0;
  let done!: (text: string) => void;
  const text = new Promise<string>((resolve) => (done = resolve));
  const sofar = () => truncateUtf8(new TextDecoder().decode(Buffer.concat(kept)), limit);
  return {
    keep(chunk) {
      if (size >= limit + 4) return;
      kept.push(chunk.subarray(0, limit + 4 - size));
      size += Math.min(chunk.byteLength, limit + 4 - size);
    },
    end: () => done(sofar()),
    text,
    sofar,
  };
}
