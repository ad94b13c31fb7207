// The one pipeline every way in goes through: identify → classify → decide → (hold) → forward →
// mask → record → respond. Each step is another module's; this file only sequences them. A step
// that cannot do its job throws a Refusal (the function definition turns it into problem+json).
// Fail closed: nothing reaches a target unjudged or unrecorded.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NeedsReview, type AgentRequest, type ForwardContext, type GatewayResponse, type ResponseRecord, type Route } from '../connections/kind.js';
import type { Operation } from '../connections/operation.js';
import { mapStream } from '../platform/map-stream.js';
import { unknownKindErrors } from '../connections/error-dialects.js';
import { kinds } from '../connections/registry.js';
import { pathAfter, refuseDotSegmentsAsSent } from '../connections/target.js';
import { credentialFor } from '../connections/tiers.js';
import { mayReviewToolCalls, type Decision } from '../guard/decide.js';
import type { Principal } from '../identity/index.js';
import { budgeted, InspectionBudget, InspectionBudgetExceeded } from '../masking/index.js';
import type { NamedConnection, Policy } from '../policy/compile.js';
import { Refusal, withDetail, type ErrorDialect } from '../platform/problem.js';
import { noTelemetry } from '../platform/telemetry.js';
import { sessionIdFor, sessionOwnedByAnother, type AppendOptions, type EventInput } from '../sessions/index.js';
import { readAll } from '../platform/bytes.js';
import { readBody } from './body.js';
import { answerInspectionBudgetExceeded, deniedByPolicy, recordingUnavailable, unknownConnection, wrongRoute } from './refusals.js';
import { decisionInputs, eventBase, requestPayload, withinBudget, type EventBase } from './events.js';
import { classifyAndDecide } from './judge.js';
import type { ForwardAt, Forwarded, ForwardDeps, Identified, Identify, PolicyState } from './ports.js';
import { toolCalls, type AnswerHolds } from './tool-calls.js';

/** What a `review` decision turns into; the approvals module provides it. */
export type Hold = (held: HeldRequest) => Promise<HttpResponseInit>;

export interface HeldRequest {
  requestId: string;
  sessionId: string;
  /** The policy in force when it was judged, with its masker. */
  state: PolicyState;
  /** What every session-log event of this request starts with (already masked). */
  base: EventBase;
  principal: Principal;
  connection: NamedConnection;
  operation: Operation;
  decision: Decision;
  request: AgentRequest;
  /** The original request's `Prefer` header (RFC 7240 `wait=N`). */
  prefer: string | null;
  /** What approving it does instead of forwarding the request: an effect the approvals know by this name (an MCP tool's new pin). */
  effect?: string;
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
  /** The policy in force, to answer a refused token in its connection's error shape. */
  current(): Promise<PolicyState>;
  hold: Hold;
  repeat?: Repeat;
}

export async function handle(rt: GatewayDeps, route: Route, req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> {
  const telemetry = rt.telemetry ?? noTelemetry;
  if (!telemetry.enabled) return handleRequest(rt, route, req, ctx);
  return telemetry.span('request', () => handleRequest(rt, route, req, ctx), { 'portcullis.route': route, 'portcullis.connection': req.params.connection ?? '' });
}

async function handleRequest(rt: GatewayDeps, route: Route, req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> {
  const telemetry = rt.telemetry ?? noTelemetry;
  const requestId = ctx.invocationId;
  const started = performance.now();
  const name = req.params.connection ?? '';
  let identified: Identified;
  try {
    identified = await telemetry.span('identify', () => rt.identify(req.headers));
  } catch (error) {
    // A token refused is still answered in the shape the connection's clients read.
    if (error instanceof Refusal) error.dialect ??= (await dialectOf(rt, name)) ?? unknownKindErrors;
    throw error;
  }
  const { principal, state } = identified;
  const { policy } = state;
  let connection: NamedConnection | undefined;
  let sessionId: string;
  try {
    connection = lookup(policy, name, route);
    sessionId = sessionIdFor(req.headers, principal);
  } catch (error) {
    // An unknown connection has no kind: its refusal still carries a message model SDKs read.
    if (error instanceof Refusal) error.dialect ??= connection ? kinds[connection.config.kind].errorDialect : unknownKindErrors;
    throw error;
  }
  // From here on every answer, refusals included, names the request and its session.
  const headers = { 'x-request-id': requestId, 'x-portcullis-session': sessionId };
  try {
    await claimSession(rt, policy.recording, sessionId, principal);
    const response = await judge(rt, { req, route, requestId, started, principal, connection, sessionId, state });
    const merged = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return { ...response, headers: merged };
  } catch (error) {
    if (error instanceof Refusal) {
      Object.assign(error.headers, headers);
      error.dialect ??= kinds[connection.config.kind].errorDialect;
    }
    throw error;
  }
}

/** The error dialect of the connection a request names, under the policy in force (none if unknown). */
async function dialectOf(rt: GatewayDeps, name: string): Promise<ErrorDialect | undefined> {
  const state = await rt.current().catch(() => undefined);
  const connection = state?.policy.connections.get(name);
  return connection && kinds[connection.config.kind].errorDialect;
}

async function judge(
  rt: GatewayDeps,
  at: {
    req: HttpRequest;
    route: Route;
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
  refuseDotSegmentsAsSent(req.url, req.headers);
  // On a kind's body route (kubernetes exec) the request is all in its body: no target, body read.
  const ownRoute = at.route === kind.route;
  const target = ownRoute ? kind.target?.(connection, pathAfter(req.url, 3), new URL(req.url).search) : undefined;
  const body = await readBody(req, { mustRead: kind.readsBody || !ownRoute || policy.readsText(connection.name), maxBytes: rt.config.maxBodyBytes });
  const request: AgentRequest = { method: req.method.toUpperCase(), target, headers: req.headers, body };
  // Masked, classified and judged within one budget, in steps that let other requests run: a body
  // too costly to inspect is refused.
  const budget = new InspectionBudget(rt.config.inspectionBudgetMs);
  const [payload, { operation, decision: judged }] = await withinBudget(async () => [
    await requestPayload(masker, request, budget),
    await (rt.telemetry ?? noTelemetry).span('decide', () => classifyAndDecide(request, principal, connection, policy, budget)),
  ] as const);
  // The reason may quote the request (the default rule names it): shown and kept masked.
  const decision = { ...judged, reason: masker.text(judged.reason).text };
  const base = eventBase({ sessionId, requestId, principal, connection: connection.name, operation, masker });
  // An identical request whose held answer a reviewer approved gets that answer, once. Looked up
  // while the request and its decision are appended (a storage round trip off the path), and
  // answered only once they are durable. Should the append fail, a held answer taken meanwhile is
  // still the approval's, readable through its status. Only where a rule may hold an answer: a
  // policy without one forwards the request anew (and judges its answer by the rules now in force).
  const mayRepeat = decision.action === 'allow' && kind.judgesToolCalls && mayReviewToolCalls(connection, policy);
  const repeating = mayRepeat ? rt.repeat?.({ principal, connection, request }) : undefined;
  repeating?.catch(() => undefined);

  // Events name their own members before spreading `base` (which holds none of them): on Node 20,
  // each member added after a spread costs about a microsecond.
  await record(rt, policy.recording, [
    { type: 'request', ...base, ...payload },
    {
      type: 'decision',
      decision: { action: decision.action, rule: decision.rule, reason: decision.reason },
      ...base,
      ...decisionInputs(base, principal, operation, masker, rt.config.recordMaxPayloadBytes),
    },
  ]);

  if (decision.action === 'deny') {
    throw deniedByPolicy(decision.reason, decision.rule);
  }
  if (decision.action === 'review') {
    if (body.stream) request.body = { bytes: await readAll(body.stream, rt.config.maxBodyBytes), length: body.length };
    // The same request again, already held: its approval's status, or once approved its answer.
    const again = await rt.repeat?.({ principal, connection, request });
    if (again) return again;
    return rt.hold({ requestId, sessionId, state: at.state, base, principal, connection, operation, decision, request, prefer: req.headers.get('prefer') });
  }
  const repeated = await repeating;
  if (repeated) return repeated;
  try {
    return await forward(rt, at.state, request, operation, { base, requestId, connection, principal, started: at.started, tier: decision.tier });
  } catch (error) {
    if (!(error instanceof NeedsReview)) throw error;
    // The kind undid the request and asks for a review (a write over the connection's row limit).
    const held: Decision = { action: 'review', rule: error.rule, reason: masker.text(error.reason).text, review: connection.defaultReview, tier: decision.tier };
    await record(rt, policy.recording, [{ type: 'decision', decision: { action: 'review', rule: held.rule, reason: held.reason }, details: error.details, ...base }]);
    return rt.hold({ requestId, sessionId, state: at.state, base, principal, connection, operation, decision: held, request, prefer: req.headers.get('prefer') });
  }
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
  const context = forwardContext(rt, masker, at, (call) => calls.judge(call));
  // Where the connection has tiers, its events say which login or identity acted.
  const tierDetail = at.connection.config.credentials ? { tier: at.tier } : undefined;
  const forwardedAt = performance.now();
  let response: GatewayResponse;
  try {
    response = await (rt.telemetry ?? noTelemetry).span('forward', () => kinds[at.connection.config.kind].forward(request, operation, context));
  } catch (caught) {
    const refused = caught instanceof InspectionBudgetExceeded ? answerInspectionBudgetExceeded(caught.budgetMs) : caught;
    // A refusal may quote what the upstream said (a content type, an error): masked before the
    // agent or the log sees it.
    const error = refused instanceof Refusal ? withDetail(refused, masker.text(refused.detail).text) : refused;
    if (error instanceof Refusal) {
      await recordQuietly(rt, policy.recording, [{ type: 'error', error: { type: error.type, detail: error.detail }, details: tierDetail, ...at.base }]);
    }
    throw error;
  }
  const upstreamMs = performance.now() - forwardedAt;
  const responseEvent = (outcome: Partial<ResponseRecord>, details?: ResponseRecord['details']): EventInput => ({
    type: 'response',
    payload: outcome.payload,
    findings: outcome.findings,
    details: outcome.details || details || tierDetail ? { ...outcome.details, ...details, ...tierDetail } : undefined,
    timings: { upstreamMs: round(upstreamMs), totalMs: round(performance.now() - at.started) },
    ...at.base,
  });
  // Each tool call a rule judged is a decision like a request's; an answer held for review is held once recorded.
  const recordResponse = async (options?: AppendOptions) => {
    const outcome = await response.completion;
    await record(rt, policy.recording, [...calls.events(outcome), responseEvent(outcome)], options);
    await calls.hold(outcome, response);
  };

  if (!(response.body instanceof ReadableStream)) {
    const whole = response.body;
    // A HEAD's answer, or an empty one, has no body to send while the log is written.
    if (whole && whole.byteLength > 0 && request.method !== 'HEAD' && !calls.holding) {
      // The agent gets all of the answer at once: its response event may wait for the session's next events.
      const recorded = recordResponse({ linger: true });
      if (policy.recording === 'strict') {
        response.headers.set('content-length', String(whole.byteLength));
        return { status: response.status, headers: response.headers, body: deliveredWhileRecorded(whole, recorded) };
      }
      await recorded;
      return { status: response.status, headers: response.headers, body: whole };
    }
    await recordResponse();
    return { status: response.status, headers: response.headers, body: whole ?? undefined };
  }
  // Under best-effort nothing waits for a streamed answer's event: it may wait for the session's next events too.
  const streamed = () => recordResponse(policy.recording === 'best-effort' && !calls.holding ? { linger: true } : undefined);
  return { status: response.status, headers: response.headers, body: recordedStream(response, responseEvent, (event) => record(rt, policy.recording, [event]), streamed) };
}

/**
 * A whole answer under strict recording goes out while its response event is written: its
 * Content-Length tells the agent it has all of it, so the agent does not wait on the log, and the
 * body ends (with it the invocation) only once the event is durable. The append's failure is
 * logged and cuts the connection after the answer.
 */
function deliveredWhileRecorded(answer: Uint8Array, recorded: Promise<void>): ReadableStream<Uint8Array> {
  // Settled here as well: an agent that hangs up first cancels the body, and nothing awaits it then.
  const outcome = recorded.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(answer);
    },
    async pull(controller) {
      const settled = await outcome;
      if (settled.ok) controller.close();
      else controller.error(settled.error);
    },
  });
}

/**
 * A streamed answer ends only once its record is written; if that fails under strict recording,
 * the stream is cut instead of ending cleanly. An answer that stops early (the agent hung up, the
 * upstream broke off) is recorded as aborted, with the bytes the agent read and what masking had
 * found by then.
 */
function recordedStream(
  response: GatewayResponse,
  responseEvent: (outcome: Partial<ResponseRecord>, details?: ResponseRecord['details']) => EventInput,
  write: (event: EventInput) => Promise<void>,
  completed: () => Promise<void>,
): ReadableStream<Uint8Array> {
  let delivered = 0;
  let ended = false;
  const aborted = async (by: 'agent' | 'upstream') => {
    if (ended) return;
    ended = true;
    const sofar = response.partial?.();
    const payload = sofar?.payload ?? { body: '', bytes: 0, status: response.status };
    await write(responseEvent({ findings: sofar?.findings, payload }, { aborted: true, abortedBy: by, deliveredBytes: delivered })).catch(() => undefined);
  };
  // A mapStream reads a chunk from upstream only when the agent's side asks for one, so
  // `delivered` counts what was handed on, not what was buffered ahead; and it runs in the
  // kind's own mapStream (the masking), with no web stream between them.
  return mapStream<Uint8Array, Uint8Array>(response.body as ReadableStream<Uint8Array>, {
    transform(chunk, enqueue) {
      delivered += chunk.byteLength;
      enqueue(chunk);
    },
    async flush() {
      ended = true;
      await completed();
    },
    failed: () => aborted('upstream'),
    // Recorded alongside the cancel, not after it: a cancel can wait on the upstream.
    cancelled: () => aborted('agent'),
  });
}

/** What a kind needs to call its target: the credential on demand, limits, the masker. */
export function forwardContext(
  rt: ForwardDeps,
  masker: PolicyState['masker'],
  at: Pick<ForwardAt, 'requestId' | 'connection' | 'approved' | 'tier'>,
  judgeToolCall: ForwardContext['judgeToolCall'],
): ForwardContext {
  return {
    requestId: at.requestId,
    connection: at.connection,
    tier: at.tier,
    credential: async (renew) => {
      const config = credentialFor(at.connection.name, at.connection.config, at.tier);
      return config ? rt.credentials.resolve(at.connection.name, config, { renew }) : undefined;
    },
    // The prompt masked on its way out and the answer on its way back share one budget.
    masker: budgeted(masker, new InspectionBudget(rt.config.inspectionBudgetMs)),
    timeoutMs: rt.config.upstreamTimeoutMs,
    publicUrl: rt.config.publicUrl,
    captureBytes: rt.config.recordMaxPayloadBytes,
    maxBodyBytes: rt.config.maxBodyBytes,
    approved: at.approved,
    judgeToolCall,
  };
}

export function lookup(policy: Policy, name: string, route: Route): NamedConnection {
  const connection = policy.connections.get(name);
  if (!connection) throw unknownConnection(name);
  const { route: served, bodyRoutes } = kinds[connection.config.kind];
  if (served !== route && !bodyRoutes?.includes(route)) throw Object.assign(wrongRoute(name, connection.config.kind, served), { dialect: kinds[connection.config.kind].errorDialect });
  return connection;
}

/**
 * A session belongs to the principal that opened it: another principal naming it is refused (409)
 * before anything is recorded in it or sent. Under strict recording not knowing the owner is a
 * recording failure (503). Best-effort recording never waits on the log, the owner's Table
 * included: an owner this instance knows decides at once, and otherwise the request goes on while
 * the recorder claims the session before it writes the request's events there (a session another
 * principal owns gets none of them).
 */
export async function claimSession(rt: Pick<ForwardDeps, 'recorder' | 'log'>, mode: Policy['recording'], sessionId: string, principal: Principal): Promise<void> {
  if (mode === 'best-effort') {
    if (rt.recorder.owns(sessionId, principal) === false) throw sessionOwnedByAnother();
    return;
  }
  try {
    await rt.recorder.claim(sessionId, principal);
  } catch (error) {
    if (error instanceof Refusal) throw error;
    recordingFailed(rt, mode, 'session owner could not be checked', { sessionId }, error);
  }
}

/**
 * Appends events; under strict recording the answer waits until they are durable and a failure
 * refuses the request (503). Best-effort recording never waits on the log: the append is queued
 * (the recorder keeps each session's events in order) and a failure is logged and counted.
 * Telemetry counts the decisions and findings handed to the log, and times each append.
 */
export async function record(
  rt: Pick<ForwardDeps, 'recorder' | 'log' | 'telemetry'>,
  mode: Policy['recording'],
  events: EventInput[],
  options?: AppendOptions,
): Promise<void> {
  const telemetry = rt.telemetry ?? noTelemetry;
  const failed = (error: unknown) => {
    if (mode !== 'best-effort') noteRefusal(rt, events);
    recordingFailed(rt, mode, 'session events could not be recorded', { sessionId: events[0]?.sessionId, requestId: events[0]?.requestId }, error);
  };
  // Best-effort does not wait for the session's claim (claimSession): the recorder makes it before writing.
  if (mode === 'best-effort') options = { ...options, owner: events.find((event) => event.principal)?.principal };
  if (!telemetry.enabled) {
    if (mode === 'best-effort') rt.recorder.append(events, options).catch(failed);
    else await rt.recorder.append(events, options).catch(failed);
    return;
  }
  telemetry.events(events);
  const started = performance.now();
  const appended = (error?: unknown) => {
    telemetry.appended(mode, performance.now() - started, error !== undefined);
    if (error !== undefined) failed(error);
  };
  if (mode === 'best-effort') {
    rt.recorder.append(events, options).then(() => appended(), appended);
    return;
  }
  await telemetry.span('record', () => rt.recorder.append(events, options).then(() => appended(), appended), { 'portcullis.events': events.length });
}

/**
 * Under strict recording a request whose events were not durable in time is refused, but an
 * append that timed out may still land later (its session's queue keeps it): an error event queued
 * behind it says that the request was not carried out, so the log never shows it as allowed and
 * then silent. Not waited for; when storage stays down it fails like the events before it.
 */
function noteRefusal(rt: Pick<ForwardDeps, 'recorder'>, events: EventInput[]): void {
  // Only a request's own events come before it is carried out; an answer's come after.
  const first = events.find((event) => event.type === 'request');
  if (!first) return;
  const refused = recordingUnavailable();
  const error = { type: refused.type, detail: refused.detail };
  rt.recorder.append([{ type: 'error', sessionId: first.sessionId, requestId: first.requestId, connection: first.connection, error }]).catch(() => undefined);
}

/** Logs a recording failure; refuses the request (503) unless recording is best-effort. */
function recordingFailed(rt: Pick<ForwardDeps, 'log'>, mode: Policy['recording'], message: string, ids: Record<string, string | undefined>, error: unknown): void {
  rt.log.error(message, { ...ids, mode, error: String(error) });
  if (mode !== 'best-effort') {
    throw recordingUnavailable();
  }
}

async function recordQuietly(rt: ForwardDeps, mode: Policy['recording'], events: EventInput[]): Promise<void> {
  await record(rt, mode, events).catch(() => undefined);
}

const round = (ms: number) => Math.round(ms * 10) / 10;
