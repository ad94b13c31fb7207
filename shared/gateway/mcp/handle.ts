// The MCP path: /api/mcp/{connection}, Streamable HTTP. Every JSON-RPC message the agent sends is
// classified, judged and recorded on its own (a batch message by message); denied calls are
// answered here, allowed ones go to the server with masked arguments and the upstream's session
// id. What comes back (JSON or SSE) is filtered (lists), masked (results) and recorded message by
// message; server requests the policy does not allow are refused. The session id the agent holds
// is the gateway's own, bound to the principal that opened it. A connection with credential tiers
// sends what only reads (the handshake, lists, reads, calls of tools whose pinned listing says
// readOnlyHint) with its read credential, everything else with its write credential.
import { randomBytes } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Tier } from '../../connections/credential-schema.js';
import type { ForwardContext } from '../../connections/kind.js';
import { LISTS, filterList, serverRequestAllowed, type Visibility } from '../../connections/mcp/answers.js';
import { classifyMessage } from '../../connections/mcp/classify.js';
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
import { callablePin, pinState, readOnlyHint, toolDefinition, toolFingerprint } from './pins.js';
import { reviewersOfChanges, type PinApproval, type PinReviews } from './pin-review.js';
import type { McpSession, McpStore, ToolPin } from './store.js';
import type { CallHold } from './held-call.js';
import { mcpMethodNotAllowed, mcpUpstreamInvalid, missingMcpSession, unknownMcpSession } from '../refusals.js';
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

const PROTOCOL = /^(initialize|ping|notifications\/.*|response|tools\/list|prompts\/list|resources\/list|resources\/templates\/list|logging\/setLevel|completion\/complete)$/;

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
  /** Request id → its operation, for the answers that come back. */
  pending: Map<JsonRpcId, Operation>;
}

export async function handleMcp(rt: McpDeps, req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> {
  const requestId = ctx.invocationId;
  const started = performance.now();
  const { principal, state } = await rt.identify(req.headers);
  const connection = lookup(state.policy, req.params.connection ?? '', 'mcp');
  const sessionId = sessionIdFor(req.headers, principal);
  const extra = { 'x-request-id': requestId, 'x-portcullis-session': sessionId };
  try {
    // The session's log is its owner's, as on every other route.
    await claimSession(rt, state.policy.recording, sessionId, principal);
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
      session: await ownSession(rt, req.headers.get(SESSION_HEADER), connection.name, principal),
      pending: new Map(),
    };
    const response = await byMethod(ex, req);
    const headers = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    return { ...response, headers };
  } catch (error) {
    if (error instanceof Refusal) Object.assign(error.headers, extra);
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
  const pins = calls ? await ex.rt.mcp.pins(ex.connection.name) : new Map<string, ToolPin>();
  const changes = await pendingChanges(ex, messages, pins);

  const answers: Array<JsonRpcResponse | undefined> = [];
  const outgoing: Array<{ index: number; message: Message; operation: Operation; tier: Tier }> = [];
  for (const [index, message] of messages.entries()) {
    const { operation, decision } = judge(ex, classifyMessage(message, req.headers), pins, changes);
    const masked = masker.json(message.message, '$');
    // Where the connection has tiers, the decision says which credential the message is sent with.
    const tierDetail = ex.config.credentials ? { details: { tier: decision.tier } } : {};
    await record(ex.rt, policy.recording, [
      { ...base(ex, operation), type: 'request', payload: jsonPayload(JSON.stringify(masked.value)), findings: masked.findings },
      { ...base(ex, operation), type: 'decision', decision: { action: decision.action, rule: decision.rule, reason: masker.text(decision.reason).text }, ...tierDetail },
    ]);
    if (decision.action === 'allow') {
      outgoing.push({ index, message: { ...message, message: masked.value } as Message, operation, tier: decision.tier });
      if (message.type === 'request') ex.pending.set(message.message.id, operation);
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
  for (const { index, message, tier } of outgoing) {
    const upstream = await send(ex, req.headers, message.message, tier);
    const collected = await collect(ex, upstream.response, upstream.masker);
    if (message.type === 'request') {
      answers[index] = collected.find((m) => m.id === message.message.id) ?? errorResponse(message.message.id, ERRORS.noAnswer, 'The MCP server gave no answer to this message.');
    }
  }
  return localAnswer(messages, answers, batch);
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

function refusalAnswer(id: JsonRpcId, operation: Operation, decision: Decision): JsonRpcResponse {
  // Only a tool call can be held; anything else a rule sends to review is refused, saying why.
  const text =
    decision.action === 'review'
      ? `Needs approval (rule ${decision.rule}: ${decision.reason}), and only tool calls can be held for approval`
      : `Denied by policy (rule ${decision.rule}): ${decision.reason}`;
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
  const { response, masker } = await send(ex, agentHeaders, message.message, tier);
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
  const emit = async (events: ReturnType<SseParser['push']>, enqueue: (out: Uint8Array) => void) => {
    for (const event of events) {
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
  if (!message) {
    const masked = masker.json(value, '$');
    return masked.value;
  }
  if (message.type === 'response') {
    const operation = (message.message.id !== null && ex.pending.get(message.message.id)) || classifyMessage(message, new Headers());
    const method = String(operation.details.method ?? '');
    let result = message.message.result;
    if (result && LISTS[method]) result = await filtered(ex, method, result);
    const masked = masker.json(result === undefined ? message.message : { ...message.message, result }, '$');
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

/** A list as this principal may see it: denied and changed tools hidden, review tools marked. */
async function filtered(ex: Exchange, method: string, result: Record<string, unknown>): Promise<Record<string, unknown>> {
  const list = LISTS[method]!;
  const tools = method === 'tools/list';
  const pins = tools ? await ex.rt.mcp.pins(ex.connection.name) : new Map<string, ToolPin>();
  const changes: Array<Promise<void>> = [];
  const visibility = (item: Record<string, unknown>): Visibility => {
    const key = String(item[list.key] ?? '');
    if (tools) {
      const fingerprint = toolFingerprint(item);
      const recorded = pins.get(key);
      const stateOf = pinState(fingerprint, ex.config.pins?.[key], recorded);
      if (stateOf === 'changed' || recorded?.seen !== fingerprint) changes.push(pinChange(ex, key, item, fingerprint, recorded, stateOf));
      if (stateOf === 'changed') return 'hide';
    }
    const operation: Operation = {
      kind: 'mcp', method: 'POST', path: '', query: '', headers: {}, flags: [], text: '', details: { method: list.call },
      actions: [`${list.call}:${key}`], resources: list.call === 'resources/read' ? [key] : [], summary: `MCP ${list.call}:${key}`,
    };
    const decision = decide(ex.principal, ex.connection, operation, ex.state.policy);
    return decision.action === 'deny' ? 'hide' : decision.action === 'review' ? 'review' : 'show';
  };
  const out = filterList(method, result, visibility);
  await Promise.all(changes);
  return out;
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

/** GET: the server's own stream, with its messages judged like any other. */
async function listen(ex: Exchange, req: HttpRequest): Promise<HttpResponseInit> {
  const operation = classifyMessage({ type: 'notification', message: { jsonrpc: '2.0', method: 'stream/open' } }, req.headers);
  const { response, masker } = await callMcp({ method: 'GET', agentHeaders: req.headers, upstreamSession: ex.session?.upstream }, ex.forward('read'));
  return answerFrom(ex, response, masker, new Headers(), operation);
}

/** DELETE: ends the session upstream and here. */
async function end(ex: Exchange, req: HttpRequest): Promise<HttpResponseInit> {
  if (!ex.session) throw missingMcpSession();
  const { response } = await callMcp({ method: 'DELETE', agentHeaders: req.headers, upstreamSession: ex.session.upstream }, ex.forward('read'));
  await response.body?.cancel();
  await ex.rt.mcp.closeSession(ex.session.id);
  const operation = classifyMessage({ type: 'notification', message: { jsonrpc: '2.0', method: 'session/end' } }, req.headers);
  await record(ex.rt, ex.state.policy.recording, [{ ...base(ex, operation), type: 'response', payload: { body: '', bytes: 0, status: response.status } }]);
  return { status: response.ok ? 200 : response.status };
}
