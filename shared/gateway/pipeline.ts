// The one pipeline every way in goes through: identify → classify → decide → (hold) → forward →
// mask → record → respond. Each step is another module's; this file only sequences them. A step
// that cannot do its job throws a Refusal (the function definition turns it into problem+json).
// Fail closed: nothing reaches a target unjudged or unrecorded.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { AgentRequest, ForwardContext, GatewayResponse, Route } from '../connections/kind.js';
import type { Operation } from '../connections/operation.js';
import { kinds } from '../connections/registry.js';
import { pathAfter } from '../connections/target.js';
import { decide, type Decision } from '../guard/decide.js';
import type { Principal } from '../identity/index.js';
import type { NamedConnection, Policy } from '../policy/compile.js';
import { Refusal } from '../platform/problem.js';
import { sessionIdFor, type EventInput } from '../sessions/index.js';
import { readAll } from '../platform/bytes.js';
import { readBody } from './body.js';
import { eventBase, requestPayload } from './events.js';
import type { ForwardAt, Forwarded, ForwardDeps, Identify, PolicyState } from './ports.js';
import { toolCalls, type AnswerHolds } from './tool-calls.js';

/** What a `review` decision turns into; the approvals module provides it. */
export type Hold = (held: HeldRequest) => Promise<HttpResponseInit>;

export interface HeldRequest {
  requestId: string;
  sessionId: string;
  /** The policy in force when it was judged, with its masker. */
  state: PolicyState;
  /** What every session-log event of this request starts with (already masked). */
  base: Omit<EventInput, 'type'>;
  principal: Principal;
  connection: NamedConnection;
  operation: Operation;
  decision: Decision;
  request: AgentRequest;
  /** The original request's `Prefer` header (RFC 7240 `wait=N`). */
  prefer: string | null;
}

/** The answer already approved for an identical earlier request, once; undefined when there is none. */
export type Repeat = (at: { principal: Principal; connection: NamedConnection; request: AgentRequest }) => Promise<HttpResponseInit | undefined>;

/** forward's dependencies, with the holding of answers whose tool calls need a review. */
export interface LlmForwardDeps extends ForwardDeps {
  answers?: AnswerHolds;
}

/** What the live path needs: forward's dependencies, who is calling, and the hold for reviews. */
export interface GatewayDeps extends LlmForwardDeps {
  identify: Identify;
  hold: Hold;
  repeat?: Repeat;
}

export async function handle(rt: GatewayDeps, route: Route, req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> {
  const requestId = ctx.invocationId;
  const started = performance.now();
  const { principal, state } = await rt.identify(req.headers);
  const { policy } = state;
  const connection = lookup(policy, req.params.connection ?? '', route);
  const sessionId = sessionIdFor(req.headers, principal.claims);
  // From here on every answer, refusals included, names the request and its session.
  const headers = { 'x-request-id': requestId, 'x-portcullis-session': sessionId };
  try {
    const response = await judge(rt, { req, requestId, started, principal, connection, sessionId, state });
    const merged = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return { ...response, headers: merged };
  } catch (error) {
    if (error instanceof Refusal) Object.assign(error.headers, headers);
    throw error;
  }
}

async function judge(
  rt: GatewayDeps,
  at: {
    req: HttpRequest;
    requestId: string;
    started: number;
    principal: Principal;
    connection: NamedConnection;
    sessionId: string;
    state: PolicyState;
  },
): Promise<HttpResponseInit> {
  const { req, requestId, principal, connection, sessionId } = at;
  const { policy, masker } = at.state;
  const kind = kinds[connection.config.kind];
  const target = kind.target?.(connection, pathAfter(req.url, 3), new URL(req.url).search);
  const body = await readBody(req, { mustRead: kind.readsBody || policy.readsText(connection.name), maxBytes: rt.config.maxBodyBytes });
  const request: AgentRequest = { method: req.method.toUpperCase(), target, headers: req.headers, body };
  const operation = await kind.classify(request, connection);
  const judged = decide(principal, connection, operation, policy);
  // The reason may quote the request (the default rule names it): shown and kept masked.
  const decision = { ...judged, reason: masker.text(judged.reason).text };
  const base = eventBase({ sessionId, requestId, principal, connection: connection.name, operation, masker });

  await record(rt, policy.recording, [
    { ...base, type: 'request', ...requestPayload(masker, request) },
    { ...base, type: 'decision', decision: { action: decision.action, rule: decision.rule, reason: decision.reason } },
  ]);

  if (decision.action === 'deny') {
    throw new Refusal({ status: 403, type: 'denied', title: 'Denied by policy', detail: decision.reason, extensions: { rule: decision.rule } });
  }
  if (decision.action === 'review') {
    if (body.stream) request.body = { bytes: await readAll(body.stream, rt.config.maxBodyBytes), length: body.length };
    return rt.hold({ requestId, sessionId, state: at.state, base, principal, connection, operation, decision, request, prefer: req.headers.get('prefer') });
  }
  // An identical request whose held answer a reviewer approved gets that answer, once.
  const repeated = kind.judgesToolCalls ? await rt.repeat?.({ principal, connection, request }) : undefined;
  if (repeated) return repeated;
  return forward(rt, at.state, request, operation, { base, requestId, connection, principal, started: at.started });
}

/** forward → mask → record, shared by the live path and the execution of an approved request. */
export async function forward(
  rt: LlmForwardDeps,
  { policy, masker }: Pick<PolicyState, 'policy' | 'masker'>,
  request: AgentRequest,
  operation: Operation,
  at: ForwardAt,
): Promise<Forwarded> {
  const calls = toolCalls(rt.answers, { policy, masker }, request, operation, at);
  const context: ForwardContext = {
    requestId: at.requestId,
    connection: at.connection,
    credential: async () => {
      const config = at.connection.config.credential;
      return config ? rt.credentials.resolve(at.connection.name, config) : undefined;
    },
    masker,
    timeoutMs: rt.config.upstreamTimeoutMs,
    publicUrl: rt.config.publicUrl,
    captureBytes: rt.config.recordMaxPayloadBytes,
    maxBodyBytes: rt.config.maxBodyBytes,
    judgeToolCall: (call) => calls.judge(call),
  };
  const forwardedAt = performance.now();
  let response: GatewayResponse;
  try {
    response = await kinds[at.connection.config.kind].forward(request, operation, context);
  } catch (error) {
    if (error instanceof Refusal) {
      await recordQuietly(rt, policy.recording, [{ ...at.base, type: 'error', error: { type: error.type, detail: error.detail } }]);
    }
    throw error;
  }
  const upstreamMs = performance.now() - forwardedAt;
  const recordResponse = async () => {
    const outcome = await response.completion;
    await record(rt, policy.recording, [
      // Each tool call a rule judged is a decision like a request's.
      ...calls.events(outcome),
      {
        ...at.base,
        type: 'response',
        payload: outcome.payload,
        findings: outcome.findings,
        details: outcome.details,
        timings: { upstreamMs: round(upstreamMs), totalMs: round(performance.now() - at.started) },
      },
    ]);
    await calls.hold(outcome, response);
  };

  if (!(response.body instanceof ReadableStream)) {
    await recordResponse();
    return { status: response.status, headers: response.headers, body: response.body ?? undefined };
  }
  // A streamed answer ends only once its record is written; if that fails under strict
  // recording, the stream is cut instead of ending cleanly.
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({ flush: () => recordResponse() }),
  );
  return { status: response.status, headers: response.headers, body };
}

function lookup(policy: Policy, name: string, route: Route): NamedConnection {
  const connection = policy.connections.get(name);
  if (!connection) {
    throw new Refusal({ status: 404, type: 'unknown-connection', title: 'Unknown connection', detail: `No connection is named "${name}".` });
  }
  const served = kinds[connection.config.kind].route;
  if (served !== route) {
    throw new Refusal({
      status: 400,
      type: 'wrong-route',
      title: 'Wrong route for this connection',
      detail: `Connection "${name}" is a ${connection.config.kind} connection; call it at /api/${served}/${name}.`,
    });
  }
  return connection;
}

/** Appends events; under strict recording a failure refuses the request (503). */
export async function record(rt: Pick<ForwardDeps, 'recorder' | 'log'>, mode: Policy['recording'], events: EventInput[]): Promise<void> {
  try {
    await rt.recorder.append(events);
  } catch (error) {
    rt.log.error('session events could not be recorded', {
      sessionId: events[0]?.sessionId,
      requestId: events[0]?.requestId,
      mode,
      error: String(error),
    });
    if (mode === 'best-effort') return;
    throw new Refusal({
      status: 503,
      type: 'recording-unavailable',
      title: 'Session log unavailable',
      detail: 'The gateway could not record this request in the session log, so it was not carried out.',
      headers: { 'retry-after': '5' },
    });
  }
}

async function recordQuietly(rt: ForwardDeps, mode: Policy['recording'], events: EventInput[]): Promise<void> {
  await record(rt, mode, events).catch(() => undefined);
}

const round = (ms: number) => Math.round(ms * 10) / 10;
