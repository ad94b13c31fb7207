// The older HTTP+SSE transport (MCP 2024-11-05) on the upstream side, behind the same Streamable
// HTTP endpoint the agent uses: `GET <upstream>` opens the server's event stream, whose first
// `endpoint` event names where messages are POSTed; answers come back on that stream. The gateway
// keeps one stream per agent session, in this process: its key stands in for the upstream's
// session id. A request's answer (and what the server sends meanwhile) is given to the agent as
// the SSE answer of its POST; what the server sends while no request waits goes to the agent's GET
// stream, if one is open. A session whose stream this process does not hold answers 404, so the
// client initializes again.
import { randomBytes } from 'node:crypto';
import { SseParser, type Masker } from '../../masking/index.js';
import type { AgentRequest, ForwardContext } from '../kind.js';
import { upstreamRedirect, upstreamTimeout, upstreamUnreachable } from '../refusals.js';
import { callRenewing, prepareCall } from '../upstream.js';
import { ERRORS, idKey, type JsonRpcId } from './messages.js';
import type { McpConnection } from './schema.js';

const SESSION_HEADER = 'mcp-session-id';
const encoder = new TextEncoder();
const event = (data: string) => encoder.encode(`event: message\ndata: ${data.replaceAll('\n', '\ndata: ')}\n\n`);

/** One upstream event stream: where to POST, and who waits for what comes on it. */
class SseUpstream {
  /** Request id (its idKey, as clients compare ids) → the id as sent and the agent's answer stream for it, in the order they were sent. */
  readonly waiting = new Map<string, { id: unknown; answer: ReadableStreamDefaultController<Uint8Array> }>();
  listener?: ReadableStreamDefaultController<Uint8Array>;

  constructor(
    readonly key: string,
    readonly endpoint: URL,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
  ) {}

  /** A message from the server: an answer to whoever asked, anything else to the latest request still waiting, or the GET stream. */
  deliver(data: string): void {
    let message: { id?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(data) as typeof message;
    } catch {
      return;
    }
    const id = message.id !== undefined && (message.result !== undefined || message.error !== undefined) ? waitingKey(message.id) : undefined;
    const waiter = id === undefined ? undefined : this.waiting.get(id)?.answer;
    if (waiter) {
      this.waiting.delete(id!);
      enqueue(waiter, event(data));
      close(waiter);
      return;
    }
    const latest = [...this.waiting.values()].at(-1)?.answer ?? this.listener;
    if (latest) enqueue(latest, event(data));
  }

  /** The stream ended: every request still waiting is answered with an error, the GET stream ends. */
  ended(): void {
    live.delete(this.key);
    for (const { id, answer: waiter } of this.waiting.values()) {
      enqueue(waiter, event(JSON.stringify({ jsonrpc: '2.0', id, error: { code: ERRORS.noAnswer, message: 'The MCP server closed its event stream before answering.' } })));
      close(waiter);
    }
    this.waiting.clear();
    if (this.listener) close(this.listener);
  }

  async close(): Promise<void> {
    live.delete(this.key);
    await this.reader.cancel().catch(() => undefined);
  }
}

/** An answer finds its request as clients would find it, whatever type a server writes its id in. */
const waitingKey = (id: unknown) => idKey(id as JsonRpcId);

const enqueue = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array) => {
  try {
    controller.enqueue(bytes);
  } catch {
    // The agent went away; nothing to deliver to.
  }
};
const close = (controller: ReadableStreamDefaultController<Uint8Array>) => {
  try {
    controller.close();
  } catch {
    // Already closed.
  }
};

/** The streams this process holds, by the key the gateway's session stores as the upstream's id. */
const live = new Map<string, SseUpstream>();

export async function closeSseUpstreams(): Promise<void> {
  await Promise.all([...live.values()].map((upstream) => upstream.close()));
}

export interface SseCall {
  method: 'GET' | 'POST' | 'DELETE';
  agentHeaders: Headers;
  body?: string;
  upstreamSession?: string;
}

export async function callMcpSse(call: SseCall, context: ForwardContext): Promise<{ response: Response; masker: Masker }> {
  const known = call.upstreamSession === undefined ? undefined : live.get(call.upstreamSession);
  if (call.upstreamSession !== undefined && !known) {
    const gone = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
    return { response: new Response(gone, { status: 404, headers: { 'content-type': 'application/json' } }), masker: context.masker };
  }
  if (call.method === 'DELETE') {
    await known?.close();
    return { response: new Response(null, { status: 200 }), masker: context.masker };
  }
  if (call.method === 'GET') {
    const { masker } = await prepareCall({ method: 'GET', headers: new Headers(), body: { length: 0 } }, context);
    if (!known) return { response: new Response(null, { status: 405, headers: { allow: 'POST' } }), masker };
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        if (known.listener) close(known.listener);
        known.listener = controller;
      },
      cancel: () => {
        known.listener = undefined;
      },
    });
    return { response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }), masker };
  }

  const opened = known ?? (await open(context));
  if (opened instanceof Response) return { response: opened, masker: context.masker };
  const message = JSON.parse(call.body ?? '{}') as { id?: unknown; method?: unknown };
  const id = message.id !== undefined && typeof message.method === 'string' ? waitingKey(message.id) : undefined;
  // Waiting before posting: the answer may come on the stream before the POST returns.
  let waiter: ReadableStreamDefaultController<Uint8Array> | undefined;
  const answer = new ReadableStream<Uint8Array>({
    start: (controller) => {
      waiter = controller;
      if (id !== undefined) opened.waiting.set(id, { id: message.id, answer: controller });
    },
    cancel: () => {
      if (id !== undefined) opened.waiting.delete(id);
    },
  });
  const bytes = encoder.encode(call.body ?? '');
  const request: AgentRequest = {
    method: 'POST',
    target: { url: opened.endpoint, path: opened.endpoint.pathname, search: opened.endpoint.search },
    headers: call.agentHeaders,
    body: { bytes, length: bytes.byteLength },
  };
  const { call: prepared, response } = await callRenewing(request, context, ({ headers }) => {
    headers.delete(SESSION_HEADER);
    headers.set('content-type', 'application/json');
  });
  const session = { [SESSION_HEADER]: opened.key };
  if (!response.ok || id === undefined) {
    if (id !== undefined) opened.waiting.delete(id);
    close(waiter!);
    // Accepted (a notification or an answer), or refused: the server's own answer, with the session.
    if (response.ok) {
      await response.body?.cancel();
      return { response: new Response(null, { status: 202, headers: session }), masker: prepared.masker };
    }
    return { response: new Response(response.body, { status: response.status, headers: { ...Object.fromEntries(response.headers), ...session } }), masker: prepared.masker };
  }
  await response.body?.cancel();
  return { response: new Response(answer, { status: 200, headers: { 'content-type': 'text/event-stream', ...session } }), masker: prepared.masker };
}

/** Opens the server's event stream and reads its `endpoint` event; an upstream's refusal comes back as it is. */
async function open(context: ForwardContext): Promise<SseUpstream | Response> {
  const url = new URL((context.connection.config as McpConnection).upstream);
  const { response } = await callRenewing(
    { method: 'GET', target: { url, path: url.pathname, search: url.search }, headers: new Headers(), body: { length: 0 } },
    context,
    ({ headers }) => headers.set('accept', 'text/event-stream'),
  );
  if (!response.ok || !response.body) return response;
  const reader = response.body.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const early: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(upstreamTimeout(context.connection.name, context.timeoutMs)), context.timeoutMs);
  });
  // Until the endpoint is known, events are read here; then the stream is read in the background.
  const endpointOf = async (): Promise<URL> => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw upstreamUnreachable(context.connection.name, 'its event stream ended before naming an endpoint');
      for (const e of parser.push(decoder.decode(value, { stream: true }))) {
        if (e.event === 'endpoint' && e.data !== undefined) return new URL(e.data.trim(), url);
        if (e.data !== undefined) early.push(e.data);
      }
    }
  };
  let endpoint: URL;
  try {
    endpoint = await Promise.race([endpointOf(), deadline]);
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // The credential goes with every POST: only to the server's own origin.
  if (endpoint.origin !== url.origin) {
    await reader.cancel().catch(() => undefined);
    throw upstreamRedirect(context.connection.name);
  }
  const upstream = new SseUpstream(randomBytes(18).toString('base64url'), endpoint, reader);
  live.set(upstream.key, upstream);
  for (const data of early) upstream.deliver(data);
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const e of parser.push(decoder.decode(value, { stream: true }))) if (e.data !== undefined && (e.event ?? 'message') === 'message') upstream.deliver(e.data);
      }
    } catch {
      // Closed or broken: ended says so to whoever waits.
    }
    upstream.ended();
  })();
  return upstream;
}
