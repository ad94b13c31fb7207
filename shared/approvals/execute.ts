// Carries out an approved request through the live path's forward → mask → record, at most once:
// moving approved → executing is the claim, and only the writer that made that move calls the
// target. The masked answer is kept for the agent's status call.
import type { AgentRequest } from '../connections/kind.js';
import { kinds } from '../connections/registry.js';
import type { NamedConnection } from '../policy/compile.js';
import { readAll } from '../platform/bytes.js';
import { decide } from '../guard/decide.js';
import { Refusal } from '../platform/problem.js';
import type { ApprovalContext } from './context.js';
import { approvedTier } from './credential-use.js';
import { failApproval } from './fail.js';
import type { StoredRequest, StoredResult } from './held-store.js';
import { flushOutbox } from './outbox.js';
import { connectionRemoved, deniedSinceApproval, heldRequestMissing, reviewRaisedSinceApproval, unknownApprovalEffect } from './refusals.js';
import { approvalCount, complete, fail, INTERRUPTED, startExecution, type Approval, type Failure } from './state.js';

/** The largest masked answer kept for the agent. */
export const MAX_RESULT_BYTES = 32 * 1024 * 1024;

/** How long an execution may run before an `executing` approval is taken to have been interrupted. */
export const executionGraceMs = (ctx: ApprovalContext) => ctx.config.upstreamTimeoutMs + 2 * 60_000;

export async function execute(ctx: ApprovalContext, approval: Approval): Promise<void> {
  const now = ctx.now();
  if (approval.status === 'executing') return settleExecuting(ctx, approval);
  const claim = await ctx.store.update(approval.id, (a) => (a.status === 'executing' ? undefined : startExecution(a, now)));
  if (!claim.changed) return;
  if (claim.approval.status !== 'executing') {
    await flushOutbox(ctx, claim.approval);
    return;
  }

  const log = ctx.log.child({ approvalId: approval.id });
  const started = performance.now();
  let result: StoredResult;
  try {
    result = await run(ctx, claim.approval, started);
  } catch (error) {
    const failure = failureOf(error);
    if (!(error instanceof Refusal)) log.error('approved request failed', { error: error instanceof Error ? error.message : String(error) });
    await failApproval(ctx, approval.id, failure);
    return;
  }
  try {
    await ctx.held.putResult(approval.id, result);
  } catch (error) {
    log.error('answer of an approved request could not be stored', { error: String(error) });
    await failApproval(ctx, approval.id, { type: 'result-unavailable', detail: 'The request was carried out, but its answer could not be stored.' });
    return;
  }
  await ctx.store.update(approval.id, (a) => complete(a, result.status, ctx.now()));
}

/**
 * An approval found `executing` by a later message: an earlier delivery claimed it. Within the
 * grace period that delivery may still be running (it lost its lock, say), so a recheck is
 * scheduled for the end of it. After it, the target may or may not have been called: the stored
 * answer completes the approval, and without one it fails — it is never run a second time.
 */
export async function settleExecuting(ctx: ApprovalContext, approval: Approval): Promise<void> {
  const until = Date.parse(approval.executingSince ?? approval.updatedAt) + executionGraceMs(ctx);
  if (ctx.now().getTime() < until) {
    await ctx.messages.schedule(approval.id, 'recheck', new Date(until), String(until));
    return;
  }
  const stored = await ctx.held.getResult(approval.id);
  const now = ctx.now();
  const settled = await ctx.store.update(approval.id, (a) =>
    a.status !== 'executing' ? undefined : stored ? complete(a, stored.status, now) : fail(a, INTERRUPTED, now),
  );
  if (settled.changed) await flushOutbox(ctx, settled.approval);
}

async function run(ctx: ApprovalContext, approval: Approval, started: number): Promise<StoredResult> {
  const held = await ctx.held.getRequest(approval.id);
  if (!held) throw heldRequestMissing();
  const state = await ctx.policies.current();
  const { policy } = state;
  const connection = policy.connections.get(approval.base.connection);
  if (!connection) throw connectionRemoved(approval.base.connection);
  // A change held with an effect is not a request: approving it runs the effect (which checks what it needs).
  if (held.effect) {
    const effect = ctx.effects?.[held.effect];
    if (!effect) throw unknownApprovalEffect(held.effect);
    return effect(ctx, approval, held);
  }
  // Approved under the policy of its time, carried out under today's: a rule added since that
  // denies it wins (fail closed); so does a review that now asks more than the approval gave
  // (decisions do not keep the reviewers' groups: a group left out may be the one they came from).
  // Allow, or the same review or a lesser one, lets the approval stand.
  const today = decide(held.principal, connection, held.operation, policy);
  if (today.action === 'deny') throw deniedSinceApproval(today.reason);
  const raised = today.action === 'review' && today.review ? raisedReview(approval, today.review) : undefined;
  if (raised) throw reviewRaisedSinceApproval(raised);
  // A held answer was produced when it was held: approving it gives it, nothing is run.
  if (held.answer) {
    const answer = await ctx.held.getResult(approval.id);
    if (!answer) throw heldRequestMissing();
    return answer;
  }
  const request = agentRequest(held, connection);
  const response = await ctx.forward(state, request, held.operation, {
    base: approval.base,
    requestId: approval.base.requestId,
    connection,
    principal: held.principal,
    started,
    approved: true,
    // Today's decision grants the tier, up to the one the reviewer approved (credential-use.ts).
    tier: approvedTier(approval.credential, held.operation, today.tier),
  });
  return { status: response.status ?? 200, headers: [...response.headers], body: Buffer.from(await bodyBytes(response.body)).toString('base64') };
}

/** How today's review asks more than the approval gave; undefined when it does not. */
function raisedReview(approval: Approval, today: { groups: string[]; minApprovals: number }): string | undefined {
  const approvals = approvalCount(approval);
  if (approvals < today.minApprovals) return `${today.minApprovals} approvals, where it had ${approvals}`;
  const dropped = approval.review.groups.filter((g) => !today.groups.includes(g));
  if (dropped.length > 0) return `reviewers from [${today.groups.join(', ')}], where it was approved by [${approval.review.groups.join(', ')}]`;
  return undefined;
}

function agentRequest(held: StoredRequest, connection: NamedConnection): AgentRequest {
  const bytes = new Uint8Array(Buffer.from(held.body, 'base64'));
  return {
    method: held.method,
    // The path as judged, on the connection's upstream as configured now.
    target: held.target && kinds[connection.config.kind].target?.(connection, held.target.path.slice(1), held.target.search),
    headers: new Headers(held.headers),
    body: { bytes, length: bytes.byteLength },
  };
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (body instanceof ReadableStream) return readAll(body as ReadableStream<Uint8Array>, MAX_RESULT_BYTES);
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return new TextEncoder().encode(body);
  throw new Error(`unexpected response body type ${typeof body}`);
}

function failureOf(error: unknown): Failure {
  if (error instanceof Refusal) return { type: error.type, detail: error.detail };
  return { type: 'execution-failed', detail: 'The approved request could not be carried out; see the gateway log.' };
}
