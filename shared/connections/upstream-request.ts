// One request to an upstream over node:http(s), answered as a web Response. The gateway's own
// upstream calls need none of fetch's machinery (CORS modes, redirects followed, a Request object,
// the response body decoded behind the kind's back): on a small answer that machinery cost more
// CPU than the rest of the call. Redirects are not followed (the kinds judge a Location
// themselves) and content codings are left as they came (response.ts decodes what it knows).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { readableToWeb } from '../platform/readable-to-web.js';

export interface UpstreamInit {
  method: string;
  headers: Headers;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /**
   * How long the upstream has to start answering; then the call fails with a TimeoutError. Also
   * how long it may then fall silent while a JSON answer, which is read whole, is read (UpstreamStalled).
   */
  timeoutMs: number;
  /** PEM certificates the upstream's certificate is checked against instead of the system's. */
  ca?: string;
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
/** Kept-alive TLS connections for each set of authorities a connection names. */
const agentsByCa = new Map<string, HttpsAgent>();

function httpsAgent(ca: string | undefined): HttpsAgent {
  if (ca === undefined) return agents.https;
  let agent = agentsByCa.get(ca);
  if (!agent) agentsByCa.set(ca, (agent = new HttpsAgent({ keepAlive: true, ca })));
  return agent;
}
/** Set by the transport from the body, or hop-by-hop: never taken from the caller. */
const OWN_HEADERS = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection']);
/** Answers that carry no body, whatever their headers say. */
const NO_BODY = new Set([204, 205, 304]);

/** A JSON answer whose upstream sent nothing more for `timeoutMs` while the gateway waited for it. */
export class UpstreamStalled extends Error {
  override name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`the upstream sent nothing for ${timeoutMs} ms`);
  }
}

export function upstreamRequest(url: URL, init: UpstreamInit): Promise<Response> {
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return Promise.reject(Object.assign(new TypeError(`unsupported protocol ${url.protocol}`), { code: 'ERR_INVALID_PROTOCOL' }));
  const headers: OutgoingHttpHeaders = {};
  init.headers.forEach((value, name) => {
    if (!OWN_HEADERS.has(name)) headers[name] = value;
  });
  const body = init.body;
  if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength);
  else if (!body && init.method !== 'GET' && init.method !== 'HEAD') headers['content-length'] = '0';

  return new Promise<Response>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, { method: init.method, headers, agent: https ? httpsAgent(init.ca) : agents.http });
    // A timer rather than an AbortSignal: a signal per call cost more than the call's parsing.
    const timer = setTimeout(() => req.destroy(new DOMException('upstream timeout', 'TimeoutError')), init.timeoutMs);
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.once('response', (res) => {
      clearTimeout(timer);
      try {
        resolve(webResponse(res, init.method, init.timeoutMs));
      } catch (error) {
        res.destroy();
        reject(error);
      }
    });
    if (body instanceof ReadableStream) {
      const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
      // The body failing (too large, the agent gone) fails the call with its own error.
      source.once('error', (error) => req.destroy(error));
      req.once('error', () => source.destroy());
      source.pipe(req);
    } else {
      req.end(body);
    }
  });
}

function webResponse(res: IncomingMessage, method: string, timeoutMs: number): Response {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) throw Object.assign(new TypeError(`upstream answered with status ${status}`), { code: 'ERR_INVALID_STATUS' });
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  if (method === 'HEAD' || NO_BODY.has(status)) {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage, headers });
  }
  const body = readableToWeb(res);
  // A JSON answer is read whole before the agent gets anything (it is masked as JSON): one that
  // stalls after its headers would leave the agent waiting for ever. Streams (SSE, NDJSON, text)
  // reach the agent as they come, and a model may think for minutes between events: no deadline.
  const json = /^\s*application\/(?:[^;\s]*\+)?json\s*(?:;|$)/i.test(headers.get('content-type') ?? '');
  return new Response(json ? withIdleDeadline(body, timeoutMs) : body, { status, statusText: res.statusMessage, headers });
}

/**
 * Fails a read with UpstreamStalled when nothing arrives for `timeoutMs`, counting only the time
 * the reader waits for the upstream (never the time the reader takes), and drops the connection.
 */
function withIdleDeadline(body: ReadableStream<Uint8Array>, timeoutMs: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let timer: NodeJS.Timeout | undefined;
        const stalled = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new UpstreamStalled(timeoutMs)), timeoutMs)));
        try {
          const { done, value } = await Promise.race([reader.read(), stalled]);
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          reader.cancel(error).catch(() => undefined);
          throw error;
        } finally {
          clearTimeout(timer);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
