// The MCP path: /api/mcp/{connection}, Streamable HTTP. Every JSON-RPC message the agent sends is
// classified, judged and recorded on its own (a batch message by message); denied calls are
// answered here, allowed ones go to the server with masked arguments and the upstream's session
// id. What comes back (JSON or SSE) is filtered (lists), masked (results) and recorded message by
// message; server requests the policy does not allow are refused. An answer is matched to the
// request it answers as clients match it (pending.ts), on whichever of the session's streams it
// comes, so that what it answers decides how it is filtered; one that answers nothing the gateway
// sent, or is no JSON-RPC message, is dropped. GET (the server's stream) and DELETE (the session's
// end) are judged and recorded like messages. The session id the agent holds is the gateway's
// own, bound to the principal that opened it. A connection with credential tiers sends what only
// reads (the handshake, lists, reads, calls of tools whose pinned listing says readOnlyHint) with
// its read credential, everything else with its write credential.
import { randomBytes } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Tier } from '../../connections/credential-schema.js';
import { jsonRpcErrors } from '../../connections/error-dialects.js';
import type { ForwardContext } from '../../connections/kind.js';
import { LISTS, filterList, serverRequestAllowed } from '../../connections/mcp/answers.js';
import { classifyMessage, classifyTransport } from '../../connections/mcp/classify.js';
import { ERRORS, errorResponse, readMessage, readMessages, type JsonRpcId, type JsonRpcResponse, type Message } from '../../connections/mcp/messages.js';
import type { McpConnection } from '../../connections/mcp/schema.js';
import { SESSION_HEADER, callMcp } from '../../connections/mcp/upstream.js';
import { SseParser, serializeEvent } from '../../masking/index.js';
import { READ_ONLY_FLAG, type Operation } from '../../connections/operation.js';
import { decide, type Decision } from '../../guard/decide.js';
import type { Principal } from '../../identity/index.js';
import type { Finding, Masker } from '../../masking/index.js';
import type { NamedConnection } from '../../policy/compile.js';
import { Refusal } from '../../platform/problem.js';
import { sessionIdFor, type EventInput } from '../../sessions/index.js';
import { readBody } from '../body.js';
import { eventBase } from '../events.js';
import { claimSession, forwardContext, lookup, record } from '../pipeline.js';
import type { ForwardDeps, Identify, PolicyState } from '../ports.js';
import { toolError } from './answers.js';
import { answerTo, awaitAnswer, endScope, unawait } from './pending.js';
import { callablePin, pinState, readOnlyHint, toolDefinition, toolFingerprint } from './pins.js';
import { reviewersOfChanges, type PinApproval, type PinReviews } from './pin-review.js';
import type { McpSession, McpStore, ToolPin } from './store.js';
import type { CallHold } from './held-call.js';
import { listTools } from './tool-listing.js';
import { possibleOutcomes, visibility } from './visibility.js';
import { deniedByPolicy, mcpMethodNotAllowed, mcpUpstreamInvalid, missingMcpSession, unknownMcpSession } from '../refusals.js';
import { mapStream } from '../../platform/map-stream.js';

export interface McpDeps extends ForwardDeps {
  identify: Identify;
  mcp: McpStore;
  /** Holds a tool call for review, or finds the approval of an identical one. */
  holdCall: CallHold;
  /** Asks reviewers about a changed tool, or finds the approval already asked for. */
  pinReviews: PinReviews;
}

/** Methods that only run the protocol: allowed when no rule speaks of them (lists are filtered). */
/** Approval statuses in which a change is still being decided or carried out. */
const OPEN: ReadonlySet<string> = new Set(['pending', 'approved', 'executing']);

const PROTOCOL = /^(initialize|ping|notifications\/.*|response|tools\/list|prompts\/list|resources\/list|resources\/templates\/list|logging\/setLevel|completion\/complete|stream\/open|session\/end)$/;

/** One request's context: who, where, and what the messages asked for (to read their answers). */
interface Exchange {
  rt: McpDeps;
  requestId: string;
  sessionId: string;
  started: number;
  principal: Principal;
  connection: NamedConnection;
  config: McpConnection;
  state: PolicyState;
  /** Where calls to the server go, with the credential of a tier. */
  forward(tier: Tier): ForwardContext;
  session?: McpSession;
  /** Where the requests sent upstream await their answers (pending.ts): the session, or this exchange without one. */
  scope: string;
}

export async function handleMcp(rt: McpDeps, req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> {
  const requestId = ctx.invocationId;
  const started = performance.now();
  const extra: Record<string, string> = { 'x-request-id': requestId };
  try {
    // The route alone says MCP: a refused token, an unknown connection or a bad session header
    // are answered as JSON-RPC errors too (below), which MCP clients show.
    const { principal, state } = await rt.identify(req.headers);
    const connection = lookup(state.policy, req.params.connection ?? '', 'mcp');
    const sessionId = sessionIdFor(req.headers, principal);
    extra['x-portcullis-session'] = sessionId;
    // The session's log is its owner's, as on every other route.
    await claimSession(rt, state.policy.recording, sessionId, principal);
    const session = await ownSession(rt, req.headers.get(SESSION_HEADER), connection.name, principal);
    const ex: Exchange = {
      rt,
      requestId,
      sessionId,
      started,
      principal,
      connection,
      config: connection.config as McpConnection,
      state,
      // What an MCP server answers are tool results, never calls a model proposes.
      forward: (tier) => forwardContext(rt, state.masker, { requestId, connection, tier }, () => ({ action: 'allow', rule: 'default', reason: '', tier })),
      session,
      scope: session?.id ?? `exchange ${requestId}`,
    };
    const response = await byMethod(ex, req);
    const headers = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    return { ...response, headers };
  } catch (error) {
    if (error instanceof Refusal) {
      Object.assign(error.headers, extra);
      // As on every other route: the refusal in the error shape the kind's clients read.
      error.dialect ??= jsonRpcErrors;
    }
    throw error;
  }
}

const ownerOf = (principal: Principal) => `${principal.issuer} ${principal.subject}`;

/** The agent's session: only the principal that opened it, on its connection, may use it. */
async function ownSession(rt: McpDeps, id: string | null, connection: string, principal: Principal): Promise<McpSession | undefined> {
  if (id === null) return undefined;
  const session = /^[A-Za-z0-9_-]{20,100}$/.test(id) ? await rt.mcp.session(id) : undefined;
  // One answer for unknown, ended and someone else's: the spec's 404 (the client starts over).
  if (!session || session.connection !== connection || session.owner !== ownerOf(principal)) {
    throw unknownMcpSession();
  }
  return session;
}

async function byMethod(ex: Exchange, req: HttpRequest): Promise<HttpResponseInit> {
  const method = req.method.toUpperCase();
  if (method === 'POST') return post(ex, req);
  if (method === 'GET') return listen(ex, req);
  if (method === 'DELETE') return end(ex, req);
  throw mcpMethodNotAllowed();
}

function base(ex: Exchange, operation: Operation): Omit<EventInput, 'type'> {
  return eventBase({ sessionId: ex.sessionId, requestId: ex.requestId, principal: ex.principal, connection: ex.connection.name, operation, masker: ex.state.masker });
}

const jsonPayload = (text: string, status = 200) => ({ body: text, bytes: Buffer.byteLength(text), contentType: 'application/json', status });

async function post(ex: Exchange, req: HttpRequest): Promise<HttpResponseInit> {
  const { masker, policy } = ex.state;
  const body = await readBody(req, { mustRead: true, maxBytes: ex.rt.config.maxBodyBytes });
  const { messages, batch } = readMessages(new TextDecoder().decode(body.bytes));
  const calls = messages.some((m) => m.type === 'request' && m.message.method === 'tools/call');
  const pins = calls ? await callPins(ex, req.headers, messages) : new Map<string, ToolPin>();
  const changes = await pendingChanges(ex, messages, pins);

  const answers: Array<JsonRpcResponse | undefined> = [];
  const outgoing: Array<{ index: number; message: Message; operation: Operation; tier: Tier }> = [];
  for (const [index, message] of messages.entries()) {
    const judged = judge(ex, classifyMessage(message, req.headers), pins, changes);
    const { operation } = judged;
    // Awaited from here on (before anything is awaited, so two requests cannot both take one id).
    const decision = message.type === 'request' && judged.decision.action === 'allow' && !awaitAnswer(ex.scope, message.message.id, operation) ? idInUse(message.message.id, judged.decision) : judged.decision;
    const masked = masker.json(message.message, '$');
    // Where the connection has tiers, the decision says which credential the message is sent with.
    const tierDetail = ex.config.credentials ? { details: { tier: decision.tier } } : {};
    await record(ex.rt, policy.recording, [
      { ...base(ex, operation), type: 'request', payload: jsonPayload(JSON.stringify(masked.value)), findings: masked.findings },
      { ...base(ex, operation), type: 'decision', decision: { action: decision.action, rule: decision.rule, reason: masker.text(decision.reason).text }, ...tierDetail },
    ]);
    if (decision.action === 'allow') {
      outgoing.push({ index, message: { ...message, message: masked.value } as Message, operation, tier: decision.tier });
      continue;
    }
    if (message.type !== 'request') continue;
    const id = message.message.id;
    if (decision.action === 'review' && message.message.method === 'tools/call') {
      // The approval is bound to the call as sent; what goes upstream once approved is masked.
      const holding = ex.rt.holdCall({
        requestId: ex.requestId,
        sessionId: ex.sessionId,
        principal: ex.principal,
        connection: ex.connection,
        state: ex.state,
        message: message.message,
        masked: masked.value as typeof message.message,
        operation,
        decision,
        base: base(ex, operation),
        waitSeconds: ex.config.holdWaitSeconds,
        headers: req.headers,
        upstreamSession: ex.session?.upstream,
        toolDescription: pins.get(String(message.message.params?.name))?.description,
      });
      const progressToken = (message.message.params?._meta as { progressToken?: unknown } | undefined)?.progressToken;
      if (!batch && (typeof progressToken === 'string' || typeof progressToken === 'number')) return progressWhile(holding, id, progressToken);
      answers[index] = { jsonrpc: '2.0', id, result: await holding };
      continue;
    }
    answers[index] = refusalAnswer(id, operation, decision);
  }

  if (outgoing.length === 0) return localAnswer(messages, answers, batch);
  if (!batch && outgoing.length === 1) return single(ex, req.headers, outgoing[0]!);
  // Batches (older revisions) go upstream one message at a time; the answers come back together.
  for (const [at, { index, message, tier }] of outgoing.entries()) {
    const collected = await unawaitedOnFailure(ex, outgoing.slice(at), async () => {
      const upstream = await send(ex, req.headers, message.message, tier);
      return collect(ex, upstream.response, upstream.masker);
    });
    if (message.type === 'request') {
      // Answers carry the agent's own ids (fromServer): an exact match finds this one's.
      answers[index] = collected.find((m) => m.id === message.message.id);
      if (answers[index] === undefined) {
        unawait(ex.scope, message.message.id);
        answers[index] = errorResponse(message.message.id, ERRORS.noAnswer, 'The MCP server gave no answer to this message.');
      }
    }
  }
  return localAnswer(messages, answers, batch);
}

/** Runs a step of sending; if it fails, the requests it was to send await no answer. */
async function unawaitedOnFailure<T>(ex: Exchange, sending: Array<{ message: Message }>, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    for (const { message } of sending) if (message.type === 'request') unawait(ex.scope, message.message.id);
    throw error;
  }
}

/** A request whose id clients take for that of one still awaiting its answer: the two answers could not be told apart. */
function idInUse(id: JsonRpcId, decision: Decision): Decision {
  return { action: 'deny', rule: 'mcp-request-id', reason: `Another request with the id ${JSON.stringify(id)} (or one a client takes for it) awaits its answer in this session`, tier: decision.tier };
}

/** Progress while a held call waits: the client asked for it, so it is told, not left to time out. */
function progressWhile(holding: Promise<Record<string, unknown>>, id: JsonRpcId, progressToken: string | number): HttpResponseInit {
  const encoder = new TextEncoder();
  const event = (message: unknown) => encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let progress = 0;
      const tick = () => {
        progress++;
        controller.enqueue(event({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress, message: 'Waiting for a reviewer to approve this call' } }));
      };
      tick();
      timer = setInterval(tick, PROGRESS_INTERVAL_MS);
      holding.then(
        (result) => {
          clearInterval(timer);
          controller.enqueue(event({ jsonrpc: '2.0', id, result }));
          controller.close();
        },
        (error: unknown) => {
          clearInterval(timer);
          const detail = error instanceof Refusal ? error.detail : 'The call could not be held for approval.';
          controller.enqueue(event({ jsonrpc: '2.0', id, result: toolError(detail) }));
          controller.close();
        },
      );
    },
    cancel: () => clearInterval(timer),
  });
  return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body };
}

const PROGRESS_INTERVAL_MS = 2_000;

/**
 * The pins of the tools these messages call. A tool no listing has pinned yet is checked now: the
 * gateway lists the server's tools itself (its answer pins or flags them as a listing through the
 * gateway would), so a call is never judged without its tool's pin.
 */
async function callPins(ex: Exchange, headers: Headers, messages: Message[]): Promise<Map<string, ToolPin>> {
  const pins = await ex.rt.mcp.pins(ex.connection.name);
  // Only for a call that may run: one denied anyway (a principal outside the groups) never reaches the server.
  const unpinned = messages.some(
    (m) =>
      m.type === 'request' &&
      m.message.method === 'tools/call' &&
      !pins.has(String(m.message.params?.name)) &&
      decide(ex.principal, ex.connection, classifyMessage(m, headers), ex.state.policy).action !== 'deny',
  );
  if (!unpinned) return pins;
  const tools = await listTools(async (message) => (await send(ex, headers, message, 'read')).response);
  if (!tools) return pins;
  await checkPins(ex, tools);
  return ex.rt.mcp.pins(ex.connection.name);
}

/** The approvals of the changed tools these messages call, to name them in the refusals. */
async function pendingChanges(ex: Exchange, messages: Message[], pins: Map<string, ToolPin>): Promise<Map<string, PinApproval | undefined>> {
  const changes = new Map<string, PinApproval | undefined>();
  for (const message of messages) {
    if (message.type !== 'request' || message.message.method !== 'tools/call') continue;
    const tool = String(message.message.params?.name);
    const pin = pins.get(tool);
    if (!pin || changes.has(tool) || callablePin(ex.config.pins?.[tool], pin)) continue;
    if (ex.config.pins?.[tool] !== undefined) {
      changes.set(tool, undefined);
      continue;
    }
    // The approval of this version, or of an earlier change still open (one at a time per tool).
    const approval = await ex.rt.pinReviews.find(ex.connection.name, tool, pin.seen);
    const earlier = approval || pin.reviewing === undefined ? undefined : await ex.rt.pinReviews.find(ex.connection.name, tool, pin.reviewing);
    changes.set(tool, approval ?? (earlier && OPEN.has(earlier.status) ? earlier : undefined));
  }
  return changes;
}

/**
 * The guard's decision, with protocol messages allowed when no rule speaks of them and changed
 * tools refused. A call of a tool whose pinned listing says it only reads is judged (and sent) as
 * read-only.
 */
function judge(ex: Exchange, classified: Operation, pins: Map<string, ToolPin>, changes: Map<string, PinApproval | undefined>): { operation: Operation; decision: Decision } {
  const method = String(classified.details.method ?? classified.actions[0]);
  const tool = method === 'tools/call' ? String(classified.details.name) : undefined;
  const pin = tool === undefined ? undefined : pins.get(tool);
  const trusted = tool !== undefined && pin !== undefined && callablePin(ex.config.pins?.[tool], pin);
  const operation = trusted && pin.readOnly && !classified.flags.includes(READ_ONLY_FLAG) ? { ...classified, flags: [...classified.flags, READ_ONLY_FLAG] } : classified;
  const decision = decide(ex.principal, ex.connection, operation, ex.state.policy);
  if (decision.rule === 'default' && PROTOCOL.test(method)) {
    return { operation, decision: { action: 'allow', rule: 'mcp-protocol', reason: `${method} runs the protocol`, tier: decision.tier } };
  }
  if (tool !== undefined && decision.action !== 'deny' && pin === undefined) {
    return { operation, decision: { action: 'deny', rule: 'tool-pin', reason: `Tool "${tool}" is not in the server's list of tools, so it cannot be checked against a pin`, tier: decision.tier } };
  }
  if (tool !== undefined && decision.action !== 'deny' && !callablePin(ex.config.pins?.[tool], pin)) {
    return { operation, decision: { action: 'deny', rule: 'tool-pin', reason: changedToolReason(tool, ex.config.pins?.[tool] !== undefined, changes.get(tool)), tier: decision.tier } };
  }
  return { operation, decision };
}

/** Why a changed tool's call is refused, naming the approval of the change when there is one. */
function changedToolReason(tool: string, declared: boolean, approval: PinApproval | undefined): string {
  const changed = `Tool "${tool}" changed since it was pinned`;
  if (declared) return `${changed}; its fingerprint is declared in the policy, so it stays refused until the policy declares the new one`;
  if (!approval) return `${changed}; it stays refused until the new fingerprint is approved or declared in the policy`;
  if (approval.status === 'denied') return `${changed}; a reviewer denied the change (approval ${approval.id}), so it stays refused unless the policy declares the new fingerprint`;
  return `${changed}; the change awaits approval (approval ${approval.id}, ${approval.status}). Status: ${approval.statusUrl}. Until it is approved the tool is hidden and its calls refused`;
}

/** Only a tool call can be held; anything else a rule sends to review is refused, saying why. */
function refusalText(decision: Decision): string {
  return decision.action === 'review'
    ? `Needs approval (rule ${decision.rule}: ${decision.reason}), and only tool calls can be held for approval`
    : `Denied by policy (rule ${decision.rule}): ${decision.reason}`;
}

function refusalAnswer(id: JsonRpcId, operation: Operation, decision: Decision): JsonRpcResponse {
  const text = refusalText(decision);
  // A refused tool call is a tool error the model reads; any other refusal is a JSON-RPC error.
  if (operation.details.method === 'tools/call') return { jsonrpc: '2.0', id, result: toolError(text) };
  return errorResponse(id, ERRORS.denied, text, { rule: decision.rule });
}


function localAnswer(messages: Message[], answers: Array<JsonRpcResponse | undefined>, batch: boolean): HttpResponseInit {
  const replies = answers.filter((a): a is JsonRpcResponse => a !== undefined);
  if (replies.length === 0 && !messages.some((m) => m.type === 'request')) return { status: 202 };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch ? replies : replies[0]) };
}

async function send(ex: Exchange, agentHeaders: Headers, message: unknown, tier: Tier) {
  return callMcp({ method: 'POST', agentHeaders, body: JSON.stringify(message), upstreamSession: ex.session?.upstream }, ex.forward(tier));
}

/** One message upstream, its answer streamed back message by message. */
async function single(ex: Exchange, agentHeaders: Headers, { message, operation, tier }: { message: Message; operation: Operation; tier: Tier }): Promise<HttpResponseInit> {
  const { response, masker } = await unawaitedOnFailure(ex, [{ message }], () => send(ex, agentHeaders, message.message, tier));
  // Refused upstream: the agent gets the HTTP error, never an answer. Accepted (202), the answer may come on the GET stream.
  if (!response.ok && message.type === 'request') unawait(ex.scope, message.message.id);
  const headers = new Headers();
  const version = response.headers.get('mcp-protocol-version');
  if (version) headers.set('mcp-protocol-version', version);
  const upstreamSession = response.headers.get(SESSION_HEADER);
  if (message.type === 'request' && message.message.method === 'initialize' && response.ok) {
    // The agent gets the gateway's own id, bound to it; the upstream's never leaves the gateway.
    const id = randomBytes(24).toString('base64url');
    await ex.rt.mcp.openSession({ id, connection: ex.connection.name, owner: ownerOf(ex.principal), ...(upstreamSession ? { upstream: upstreamSession } : {}) });
    headers.set(SESSION_HEADER, id);
  }
  return answerFrom(ex, response, masker, headers, operation);
}

async function answerFrom(ex: Exchange, response: Response, masker: Masker, headers: Headers, operation: Operation): Promise<HttpResponseInit> {
  const type = response.headers.get('content-type') ?? '';
  if (response.status === 202 || response.status === 204 || !response.body) {
    await response.body?.cancel();
    return { status: response.status, headers };
  }
  if (!response.ok) {
    const text = masker.auto(await response.text(), type);
    await record(ex.rt, ex.state.policy.recording, [{ ...base(ex, operation), type: 'response', payload: { body: text.text, bytes: text.text.length, contentType: type, status: response.status }, findings: text.findings }]);
    headers.set('content-type', type || 'text/plain');
    return { status: response.status, headers, body: text.text };
  }
  if (type.startsWith('text/event-stream')) {
    headers.set('content-type', 'text/event-stream');
    headers.set('cache-control', 'no-cache');
    return { status: response.status, headers, body: sseThrough(ex, response.body, masker) };
  }
  const values = await collect(ex, response, masker);
  headers.set('content-type', 'application/json');
  return { status: response.status, headers, body: JSON.stringify(values.length === 1 ? values[0] : values) };
}

/** Reads a whole answer (JSON or SSE) into the messages the agent may see. */
async function collect(ex: Exchange, response: Response, masker: Masker): Promise<JsonRpcResponse[]> {
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  // Accepted (a notification) or refused upstream: nothing to answer with here.
  if (!response.ok || text.trim() === '') return [];
  const values: unknown[] = [];
  try {
    if (type.startsWith('text/event-stream')) {
      const parser = new SseParser();
      for (const event of [...parser.push(text), ...parser.end()]) if (event.data) values.push(JSON.parse(event.data));
    } else {
      const parsed: unknown = JSON.parse(text);
      values.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    }
  } catch {
    throw mcpUpstreamInvalid(ex.connection.name);
  }
  const out: JsonRpcResponse[] = [];
  for (const value of values) {
    const passed = await fromServer(ex, value, masker);
    if (passed !== undefined) out.push(passed as JsonRpcResponse);
  }
  return out;
}

/** An SSE answer, event by event: each message through fromServer, in order. */
function sseThrough(ex: Exchange, body: ReadableStream<Uint8Array>, masker: Masker): ReadableStream<Uint8Array> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  // The event's name, id and comment lines pass too: masked like its data, never as they came.
  const text = (line: string) => masker.text(line).text;
  const emit = async (parsed: ReturnType<SseParser['push']>, enqueue: (out: Uint8Array) => void) => {
    for (const { event: name, other, data } of parsed) {
      const event = { event: name === undefined ? undefined : text(name), other: other.map(text), data };
      if (event.data === undefined || event.data === '') {
        enqueue(encoder.encode(serializeEvent(event)));
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(event.data);
      } catch {
        // Not a message: masked as text, never passed as it came.
        enqueue(encoder.encode(serializeEvent({ ...event, data: masker.text(event.data).text })));
        continue;
      }
      const passed = await fromServer(ex, value, masker);
      if (passed !== undefined) enqueue(encoder.encode(serializeEvent({ ...event, data: JSON.stringify(passed) })));
    }
  };
  return mapStream<Uint8Array, Uint8Array>(body, {
    transform: (chunk, enqueue) => emit(parser.push(decoder.decode(chunk, { stream: true })), enqueue),
    flush: (enqueue) => emit(parser.end(), enqueue),
  });
}

/** One message from the server: answers filtered and masked, server requests judged, all recorded. */
async function fromServer(ex: Exchange, value: unknown, masker: Masker): Promise<unknown> {
  const { policy } = ex.state;
  const message = readMessage(value);
  // What a client could take for something the gateway did not judge is not passed on.
  if (!message) return dropped(ex, value, masker, 'is not a JSON-RPC message');
  if (message.type === 'response') {
    const request = answerTo(ex.scope, message.message.id);
    if (!request) return dropped(ex, value, masker, 'answers no request the gateway sent in this session (or one answered already)');
    const { operation } = request;
    const method = String(operation.details.method ?? '');
    let result = message.message.result;
    if (result && LISTS[method]) result = await filtered(ex, method, result);
    // The agent's own id, exactly: its client matches the answer to the request the gateway judged.
    const masked = masker.json({ ...message.message, id: request.id, ...(result === undefined ? {} : { result }) }, '$');
    await recordAnswer(ex, operation, masked.value, masked.findings);
    return masked.value;
  }
  const operation = classifyMessage(message, new Headers());
  const masked = masker.json(message.message, '$');
  if (message.type === 'request' && !serverRequestAllowed(ex.config, message.message.method)) {
    // Refused for the agent: the server gets the error, the agent never sees the request.
    await record(ex.rt, policy.recording, [
      { ...base(ex, operation), type: 'request', payload: jsonPayload(JSON.stringify(masked.value)), findings: masked.findings, details: { direction: 'server-to-client' } },
      { ...base(ex, operation), type: 'decision', decision: { action: 'deny', rule: 'server-requests', reason: `The server may not send ${message.message.method} on "${ex.connection.name}"` } },
    ]);
    const refusal = errorResponse(message.message.id, ERRORS.refused, `${message.message.method} is not allowed through the gateway on this connection`);
    const sent = await send(ex, new Headers(), refusal, 'read').catch(() => undefined);
    await sent?.response.body?.cancel();
    return undefined;
  }
  await recordAnswer(ex, operation, masked.value, masked.findings, 'server-to-client');
  return masked.value;
}

/** A message from the server that is dropped, recorded (masked) with why. */
async function dropped(ex: Exchange, value: unknown, masker: Masker, why: string): Promise<undefined> {
  const masked = masker.json(value, '$');
  const operation = classifyTransport('server/unmatched', new Headers());
  await record(ex.rt, ex.state.policy.recording, [
    { ...base(ex, operation), type: 'error', error: { type: 'mcp-message-dropped', detail: `The MCP server sent a message that ${why}; it was dropped` }, payload: jsonPayload(JSON.stringify(masked.value)), findings: masked.findings, details: { direction: 'server-to-client' } },
  ]);
  return undefined;
}

async function recordAnswer(ex: Exchange, operation: Operation, value: unknown, findings: Finding[], direction?: string): Promise<void> {
  const text = JSON.stringify(value);
  await record(ex.rt, ex.state.policy.recording, [
    {
      ...base(ex, operation),
      type: 'response',
      payload: jsonPayload(text),
      findings,
      timings: { totalMs: Math.round(performance.now() - ex.started) },
      ...(direction ? { details: { direction } } : {}),
    },
  ]);
}

/**
 * A list as this principal may see it: denied and changed tools hidden, review tools marked. A
 * name listed twice is hidden: the client would keep one copy, the pin another.
 */
async function filtered(ex: Exchange, method: string, result: Record<string, unknown>): Promise<Record<string, unknown>> {
  const list = LISTS[method]!;
  const items = Array.isArray(result[list.field]) ? (result[list.field] as unknown[]).filter(isItem) : [];
  const changed = method === 'tools/list' ? await checkPins(ex, items) : new Set<string>();
  const once = new Set<string>();
  const twice = new Set<string>();
  for (const item of items) {
    const key = String(item[list.key] ?? '');
    (once.has(key) ? twice : once).add(key);
  }
  return filterList(method, result, (item) => {
    const key = String(item[list.key] ?? '');
    if (changed.has(key) || twice.has(key)) return 'hide';
    return visibility(possibleOutcomes(ex.principal, ex.connection, listedCall(list.call, key, item), ex.state.policy));
  });
}

const isItem = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The call of a listed item, as it is classified when made (without its arguments). */
function listedCall(call: string, key: string, item: Record<string, unknown>): Operation {
  const selector = call === 'resources/read' ? 'uri' : 'name';
  const operation = classifyMessage({ type: 'request', message: { jsonrpc: '2.0', id: 0, method: call, params: { [selector]: key } } }, new Headers());
  // What the tool says of itself is trusted as its pinned listing is: a changed one is hidden anyway.
  return call === 'tools/call' && readOnlyHint(item) ? { ...operation, flags: [...operation.flags, READ_ONLY_FLAG] } : operation;
}

/** Checks listed tools against their pins (firsts pinned, changes recorded and put to reviewers); the names of the changed ones. */
async function checkPins(ex: Exchange, tools: Array<Record<string, unknown>>): Promise<Set<string>> {
  const pins = await ex.rt.mcp.pins(ex.connection.name);
  const changed = new Set<string>();
  const checks: Array<Promise<void>> = [];
  for (const tool of tools) {
    const name = String(tool.name ?? '');
    const fingerprint = toolFingerprint(tool);
    const recorded = pins.get(name);
    const state = pinState(fingerprint, ex.config.pins?.[name], recorded);
    if (state === 'changed' || recorded?.seen !== fingerprint) checks.push(pinChange(ex, name, tool, fingerprint, recorded, state));
    if (state === 'changed') changed.add(name);
  }
  await Promise.all(checks);
  return changed;
}

/**
 * Records a tool's first fingerprint, or a change against its pin, in the table and the session
 * log. A change (not declared in the policy) is put to the connection's reviewers, once per new
 * fingerprint.
 */
async function pinChange(ex: Exchange, tool: string, item: Record<string, unknown>, fingerprint: string, recorded: ToolPin | undefined, state: 'pinned' | 'new' | 'changed'): Promise<void> {
  const { mcp } = ex.rt;
  const declared = ex.config.pins?.[tool];
  const description = typeof item.description === 'string' ? item.description : undefined;
  const seen = { seen: fingerprint, readOnly: readOnlyHint(item), ...(description === undefined ? {} : { description }) };
  const operation: Operation = {
    kind: 'mcp', method: 'POST', path: '', query: '', headers: {}, flags: [], text: '', details: { method: 'tools/pin', name: tool, fingerprint },
    actions: [`tools/pin:${tool}`], resources: [], summary: `MCP tool ${tool} ${state === 'new' ? 'pinned' : state}`,
  };
  if (state !== 'changed') {
    // What matches now (first sight, or a declared pin) becomes the pin.
    await mcp.savePin(ex.connection.name, tool, { pinned: fingerprint, ...seen, definition: toolDefinition(item) }, recorded === undefined);
    await record(ex.rt, ex.state.policy.recording, [
      { ...base(ex, operation), type: 'decision', decision: { action: 'allow', rule: 'tool-pin', reason: state === 'new' ? `Tool "${tool}" pinned on first sight` : `Tool "${tool}" matches its pin again` }, details: { tool, pinned: fingerprint, seen: fingerprint, previous: recorded?.seen ?? null } },
    ]);
    return;
  }
  const pinned = recorded?.pinned ?? declared!;
  if (recorded?.seen !== fingerprint) {
    // The pin stays as it is: only what was listed is noted.
    await (recorded ? mcp.sawChange(ex.connection.name, tool, seen) : mcp.savePin(ex.connection.name, tool, { pinned, ...seen }, true));
    await record(ex.rt, ex.state.policy.recording, [
      { ...base(ex, operation), type: 'error', error: { type: 'mcp-tool-changed', detail: `Tool "${tool}" no longer matches its pinned fingerprint; it is hidden and its calls refused` }, details: { tool, pinned, seen: fingerprint, previous: recorded?.seen ?? null } },
    ]);
  }
  // A declared pin is changed in the policy, not by an approval; without reviewers, only there too.
  const review = reviewersOfChanges(ex.connection, ex.state.policy);
  if (declared !== undefined || !review) return;
  // One open approval per tool: a server that keeps changing it does not flood the reviewers; the
  // next change is asked about once the earlier one is answered.
  if (recorded?.reviewing !== undefined && recorded.reviewing !== fingerprint) {
    const earlier = await ex.rt.pinReviews.find(ex.connection.name, tool, recorded.reviewing);
    if (earlier && OPEN.has(earlier.status)) return;
  }
  await ex.rt.pinReviews
    .request({
      review,
      requestId: ex.requestId,
      sessionId: ex.sessionId,
      principal: ex.principal,
      connection: ex.connection,
      state: ex.state,
      base: base(ex, operation),
      operation,
      tool,
      pinned,
      fingerprint,
      ...(recorded?.definition ? { before: recorded.definition } : {}),
      after: toolDefinition(item),
    })
    .then(() => (recorded?.reviewing === fingerprint ? undefined : mcp.markReviewing(ex.connection.name, tool, fingerprint)))
    .catch((error: unknown) => {
      // The tool stays hidden either way; the next listing asks again.
      ex.rt.log.warn('the approval of a changed MCP tool could not be asked for', { connection: ex.connection.name, tool, error: error instanceof Error ? error.message : String(error) });
    });
}

/** GET: the server's own stream, judged like a message (groups, rules) and its messages like any other. */
async function listen(ex: Exchange, req: HttpRequest): Promise<HttpResponseInit> {
  const operation = await judgeTransport(ex, classifyTransport('stream/open', req.headers));
  const { response, masker } = await callMcp({ method: 'GET', agentHeaders: req.headers, upstreamSession: ex.session?.upstream }, ex.forward('read'));
  return answerFrom(ex, response, masker, new Headers(), operation);
}

/** DELETE: judged like a message, then ends the session upstream and here. */
async function end(ex: Exchange, req: HttpRequest): Promise<HttpResponseInit> {
  const operation = await judgeTransport(ex, classifyTransport('session/end', req.headers));
  if (!ex.session) throw missingMcpSession();
  const { response } = await callMcp({ method: 'DELETE', agentHeaders: req.headers, upstreamSession: ex.session.upstream }, ex.forward('read'));
  await response.body?.cancel();
  await ex.rt.mcp.closeSession(ex.session.id);
  endScope(ex.scope);
  await record(ex.rt, ex.state.policy.recording, [{ ...base(ex, operation), type: 'response', payload: { body: '', bytes: 0, status: response.status } }]);
  return { status: response.ok ? 200 : response.status };
}

/** Judges and records a GET or DELETE; refused as a POST's request would be, with nothing sent upstream. */
async function judgeTransport(ex: Exchange, classified: Operation): Promise<Operation> {
  const { operation, decision } = judge(ex, classified, new Map(), new Map());
  await record(ex.rt, ex.state.policy.recording, [
    { ...base(ex, operation), type: 'request', payload: { body: '', bytes: 0 } },
    { ...base(ex, operation), type: 'decision', decision: { action: decision.action, rule: decision.rule, reason: ex.state.masker.text(decision.reason).text } },
  ]);
  if (decision.action !== 'allow') throw deniedByPolicy(refusalText(decision), decision.rule);
  return operation;
}
