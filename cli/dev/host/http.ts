// Serves HTTP-triggered functions from node:http the way the Azure Functions worker does with HTTP
// streaming on: the handler gets @azure/functions' HttpRequest over a streaming fetch Request and
// its HttpResponseInit is turned into a fetch Response whose body is piped out chunk by chunk.
import type { Cookie, HttpResponseInit } from '@azure/functions';
import { HttpRequest, HttpResponse, InvocationContext } from '../../../shared/platform/azure-functions.js';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpFunction } from '../../../shared/platform/triggers.js';
import type { Logger } from '../../../shared/platform/log.js';
import { refuseDotSegments } from '../../../shared/connections/target.js';
import { internalError, Refusal, toProblem } from '../../../shared/platform/problem.js';
import { invocationLog } from './invocation-log.js';
import { compileRoute, matchRoute, sortBySpecificity, type CompiledRoute } from './routes.js';

export const ROUTE_PREFIX = 'api';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function httpListener(functions: HttpFunction[], log: Logger): RequestListener {
  const routes = sortBySpecificity(functions.map((f) => compileRoute(`${ROUTE_PREFIX}/${f.route}`, f)));
  return (req, res) => {
    const invocationId = randomUUID();
    serve(routes, req, res, invocationId, log).catch((error: unknown) => {
      log.error('unhandled error in local host', { requestId: invocationId, error: describe(error) });
      if (!res.headersSent) void send(res, internalError(invocationId), 'HEAD' === req.method).catch(() => res.destroy());
      else res.destroy();
    });
  };
}

async function serve(
  routes: CompiledRoute<HttpFunction>[],
  req: IncomingMessage,
  res: ServerResponse,
  invocationId: string,
  log: Logger,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  try {
    // The URL parser below would resolve `..`: judge the path as the client wrote it.
    refuseDotSegments(req.url ?? '/');
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    req.resume();
    return send(res, toProblem(error, invocationId), method === 'HEAD');
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  } catch {
    // A Host the URL parser refuses (`a b`) is the client's mistake, not an internal error.
    req.resume();
    return send(res, toProblem(badRequest('The Host header is not a host name.'), invocationId), method === 'HEAD');
  }
  const rawPath = url.pathname;
  const matches = routes.flatMap((route) => {
    const params = matchRoute(route, rawPath);
    return params ? [{ fn: route.value, params }] : [];
  });
  const match = matches.find((m) => (m.fn.methods as string[]).includes(method));
  if (!match) {
    const refusal = matches.length
      ? new Refusal({
          status: 405,
          type: 'method-not-allowed',
          title: 'Method not allowed',
          detail: `${method} is not allowed here`,
          headers: { allow: [...new Set(matches.flatMap((m) => m.fn.methods))].join(', ') },
        })
      : new Refusal({ status: 404, type: 'not-found', title: 'Not found', detail: `No function serves ${url.pathname}` });
    req.resume();
    return send(res, toProblem(refusal, invocationId), method === 'HEAD');
  }

  const hasBody = method !== 'GET' && method !== 'HEAD';
  const nativeRequest = new Request(url, {
    method,
    headers: headersOf(req),
    body: hasBody ? requestBody(req) : undefined,
    // Streams the request body to the handler rather than buffering it first.
    duplex: 'half',
  } as RequestInit);
  // `nativeRequest` is how @azure/functions itself builds streaming requests (createStreamRequest).
  const request = new HttpRequest({ nativeRequest, params: match.params } as ConstructorParameters<typeof HttpRequest>[0]);
  const context = new InvocationContext({
    invocationId,
    functionName: match.fn.name,
    logHandler: invocationLog(log, { function: match.fn.name, requestId: invocationId }),
  });
  const result = await match.fn.handler(request, context);
  res.once('close', () => {
    if (!req.complete) req.destroy();
  });
  // An answer given before the body was read (a 415, a 413) leaves the rest of the body on the
  // connection, which is then dropped: say so, or a kept-alive client sends its next request on it.
  await send(res, result, method === 'HEAD', hasBody && !req.complete);
}

const badRequest = (detail: string) => new Refusal({ status: 400, type: 'bad-request', title: 'Bad request', detail });

/** The answer to a request node:http refused itself, by the error's code: the statuses Node would answer. */
function clientErrorRefusal(code: string | undefined): Refusal {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new Refusal({ status: 431, type: 'headers-too-large', title: 'Request header fields too large', detail: 'The request\'s headers are larger than the host accepts.' });
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new Refusal({ status: 408, type: 'request-timeout', title: 'Request timeout', detail: 'The request did not arrive whole in time.' });
  }
  return badRequest(`The request is not valid HTTP/1.1 (${code ?? 'unknown error'}).`);
}

/**
 * Answers what node:http refuses itself (headers too large, a broken chunked body, a request too
 * slow to arrive) with a problem+json document like every other answer, where Node would write a
 * bare status line; then closes the connection, whose next bytes cannot be told apart.
 */
export function answerClientErrors(server: Server): void {
  // The answer under way on each connection: once its headers are out, nothing else may be written.
  const answering = new WeakMap<Duplex, ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => answering.set(req.socket, res));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable || answering.get(socket)?.headersSent) {
      socket.destroy();
      return;
    }
    const answer = toProblem(clientErrorRefusal(error.code), randomUUID());
    const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)), connection: 'close' };
    const head = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
    socket.end(`${head.join('\r\n')}\r\n\r\n${answer.body}`, () => socket.destroy());
  });
}

/** Statuses whose answers have no body, whatever the handler gave (as HttpResponse has it). */
const NULL_BODY = new Set([204, 205, 304]);

async function send(res: ServerResponse, init: HttpResponseInit, headOnly: boolean, close = false): Promise<void> {
  // A body already whole goes out with its length and headers in one write; a stream's headers go
  // first. The whole body is kept out of the HttpResponse, made here for its headers and cookies:
  // fetch's Response would wrap it in a web stream, which costs more than the write.
  const whole = init.jsonBody === undefined && !NULL_BODY.has(init.status ?? 200) ? wholeBody(init.body) : undefined;
  const response = new HttpResponse(whole ? { ...init, body: undefined } : init);
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (cookies.length) headers['set-cookie'] = cookies;
  if (close) headers.connection = 'close';
  if (whole) {
    // What fetch's Response sets for a text body without a type.
    if (typeof init.body === 'string' && headers['content-type'] === undefined) headers['content-type'] = 'text/plain;charset=UTF-8';
    if (headers['content-length'] === undefined) headers['content-length'] = String(whole.length);
  }
  res.writeHead(response.status, headers);
  if (headOnly || (!whole && !response.body)) {
    res.end();
    return;
  }
  if (whole) {
    res.end(whole);
    return;
  }
  await pump(response.body as ReadableStream<Uint8Array>, res);
}

/**
 * Sends a streamed body with backpressure. What is written goes out at the next turn of the event
 * loop at most, in one write (each write is a system call): the headers with the first chunk and,
 * for a short stream, its end; then the chunks that came in the same turn (an upstream's events
 * read one socket read each, as they arrive together). The headers of a stream with nothing to
 * send yet still go out at once. A client that hangs up cancels the stream; a stream that fails is
 * cut, after what it sent.
 */
async function pump(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  // Whether the headers have gone with a write (`headersSent` is true from writeHead on).
  let written = false;
  let corked = false;
  const flush = () => {
    corked = false;
    res.uncork();
    if (!written && !res.destroyed) res.flushHeaders();
    written = true;
  };
  const cork = () => {
    if (corked) return;
    corked = true;
    res.cork();
    setImmediate(flush);
  };
  const closed = new Promise<void>((resolve) =>
    res.once('close', () => {
      if (!res.writableFinished) reader.cancel(new Error('the client closed the connection')).catch(() => undefined);
      resolve();
    }),
  );
  cork();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      cork();
      written = true;
      if (!res.write(value)) await drained(res);
    }
  } catch (error) {
    if (corked) flush();
    res.destroy();
    throw error;
  }
  written = true;
  res.end();
  await closed;
}

/** Until the response drains or closes (never rejects: an error closes it too). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

function wholeBody(body: HttpResponseInit['body']): Buffer | undefined {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  return undefined;
}

/**
 * The request body as a web stream with backpressure. A body the handler leaves unread is
 * drained once it is cancelled, and a client that disconnects mid-body errors the stream
 * instead of surfacing as an unhandled rejection.
 */
function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once('end', () => {
          if (!settled) controller.close();
          settled = true;
        });
        req.once('error', (error) => {
          if (!settled) controller.error(error);
          settled = true;
        });
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        settled = true;
        req.resume();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  return headers;
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.expires) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
