// The agent's view of an approval, shaped like Durable Functions' HTTP API: 202 with Location and
// Retry-After while it is open; once carried out, the target's masked answer exactly as the agent
// would have had it (plus x-portcullis-approval); 403 denied, 410 expired, 502 failed. A kind
// whose clients cannot read the 202 (kubernetes: kubectl) answers the held request itself with its
// own refusal instead (ConnectionKind.heldRefusal).
import type { HttpResponseInit } from '@azure/functions';
import type { AgentRequest } from '../connections/kind.js';
import { kinds } from '../connections/registry.js';
import { toProblem, type Refusal } from '../platform/problem.js';
import type { ApprovalContext } from './context.js';
import { approvalDenied, approvalFailed, approvalResultMissing, approvalTimedOut } from './refusals.js';
import { approvalCount, effectiveStatus, inProgress, type Approval, type Status } from './state.js';

const POLL_INTERVAL_MS = 250;

/** Durable Functions' runtimeStatus for each of ours. */
const RUNTIME_STATUS: Record<Status, string> = {
  pending: 'Pending',
  approved: 'Running',
  executing: 'Running',
  completed: 'Completed',
  denied: 'Terminated',
  expired: 'Terminated',
  failed: 'Failed',
};

/**
 * Answers for `approval`, first waiting up to `waitSeconds` (from `Prefer: wait`) for it to close;
 * `held`: the agent's request it answers (held, or sent again), none for a look at the status URL.
 */
export async function answer(ctx: ApprovalContext, approval: Approval, waitSeconds?: number, held?: AgentRequest): Promise<HttpResponseInit> {
  const settled = waitSeconds ? await waitForOutcome(ctx, approval, waitSeconds * 1000) : approval;
  const response = await respond(ctx, settled, held);
  if (waitSeconds !== undefined) response.headers.set('preference-applied', `wait=${waitSeconds}`);
  return response;
}

async function waitForOutcome(ctx: ApprovalContext, approval: Approval, ms: number): Promise<Approval> {
  const deadline = Date.now() + ms;
  let current = approval;
  while (inProgress(effectiveStatus(current, ctx.now())) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, deadline - Date.now())));
    current = (await ctx.store.get(approval.id)) ?? current;
  }
  return current;
}

async function respond(ctx: ApprovalContext, approval: Approval, held: AgentRequest | undefined): Promise<HttpResponseInit & { headers: Headers }> {
  const status = effectiveStatus(approval, ctx.now());
  const { requestId, sessionId } = approval.base;
  const headers = new Headers({
    'x-request-id': requestId,
    'x-portcullis-session': sessionId,
    'x-portcullis-approval': `${approval.id}; status=${status}`,
  });
  // A kind whose clients cannot read the 202 below refuses the held request in their own shape.
  const kind = held && inProgress(status) ? kinds[approval.base.operation.kind as keyof typeof kinds] : undefined;
  const { id: approvalId, rule, message, expiresAt } = approval;
  const refusal = kind?.heldRefusal?.({ bodyRoute: !held!.target, approval: approvalId, rule, message, statusUrl: ctx.urls.status(approvalId), expiresAt });
  if (refusal) {
    refusal.dialect = kind!.errorDialect;
    return problem(approval, headers, refusal);
  }
  if (inProgress(status)) {
    headers.set('location', ctx.urls.status(approval.id));
    headers.set('retry-after', status === 'pending' ? '5' : '1');
    headers.set('content-type', 'application/json');
    headers.set('cache-control', 'no-store');
    return { status: 202, headers, body: JSON.stringify(checkStatus(ctx, approval, status)) };
  }
  if (status === 'completed') {
    const result = await ctx.held.getResult(approval.id);
    if (result) {
      const replay = new Headers(result.headers);
      headers.forEach((value, name) => replay.set(name, value));
      return { status: result.status, headers: replay, body: Buffer.from(result.body, 'base64') };
    }
    return problem(approval, headers, approvalResultMissing(approval.id));
  }
  if (status === 'denied') {
    const denial = approval.decisions.find((d) => d.verdict === 'deny');
    return problem(approval, headers, approvalDenied(approval.id, approval.rule, denial?.reason));
  }
  if (status === 'expired') {
    return problem(approval, headers, approvalTimedOut(approval.id, approval.expiresAt, approval.rule));
  }
  const failure = approval.failure ?? { type: 'approval-failed', detail: 'The approved request failed.' };
  return problem(approval, headers, approvalFailed(approval.id, failure.detail, failure.type));
}

function checkStatus(ctx: ApprovalContext, approval: Approval, status: Status) {
  return {
    id: approval.id,
    status,
    runtimeStatus: RUNTIME_STATUS[status],
    statusQueryGetUri: ctx.urls.status(approval.id),
    decisionPostUri: ctx.urls.decision(approval.id),
    createdTime: approval.createdAt,
    lastUpdatedTime: approval.updatedAt,
    expiresAt: approval.expiresAt,
    customStatus: { rule: approval.rule, approvals: approvalCount(approval), required: approval.review.minApprovals },
  };
}

function problem(approval: Approval, headers: Headers, refusal: Refusal): HttpResponseInit & { headers: Headers } {
  const init = toProblem(refusal, approval.base.requestId);
  const merged = new Headers(init.headers as Record<string, string>);
  headers.forEach((value, name) => merged.set(name, value));
  return { ...init, headers: merged };
}
