// The approval API: the agent's status URL (requester or auditor only) and the decision endpoint
// for CI gates and scripts (an OIDC bearer token of a reviewer): GET shows what is to be decided
// (the masked request or change, as the review page does), POST decides.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { readAll } from '../platform/bytes.js';
import { inAnyGroup } from '../identity/index.js';
import type { ApprovalContext } from './context.js';
import { submitDecision } from './decision.js';
import { preferredWait } from './prefer.js';
import { invalidDecision, notYourApproval, unknownApproval } from './refusals.js';
import { mayDecide, summary } from './list.js';
import { samePerson } from './people.js';
import { reviewerOf } from './reviewer.js';
import { approvalCount, requesterOf } from './state.js';
import { answer } from './status.js';

const MAX_DECISION_BYTES = 16 * 1024;

export async function approvalStatus(ctx: ApprovalContext, req: HttpRequest): Promise<HttpResponseInit> {
  const { principal, state } = await ctx.identify(req.headers);
  const id = req.params.id ?? '';
  const approval = await ctx.store.get(id);
  if (!approval) throw unknownApproval(id);
  const requester = approval.base.principal;
  const isRequester = principal.subject === requester.subject && principal.issuer === requester.issuer;
  if (!isRequester && !inAnyGroup(principal, state.policy.auditorGroups)) {
    throw notYourApproval();
  }
  return answer(ctx, approval, preferredWait(req.headers.get('prefer')));
}

const decisionSchema = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().trim().max(1000).optional().transform((r) => r || undefined),
});

export async function approvalDecision(ctx: ApprovalContext, req: HttpRequest): Promise<HttpResponseInit> {
  if (req.method.toUpperCase() === 'GET') return decisionView(ctx, req);
  const { principal } = await ctx.identify(req.headers);
  const body = await decisionBody(req);
  const approval = await submitDecision(ctx, req.params.id ?? '', reviewerOf(principal), { verdict: body.decision, reason: body.reason, via: 'api' });
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: {
      id: approval.id,
      status: approval.status,
      approvals: approvalCount(approval),
      required: approval.review.minApprovals,
      // The credential tier the approved request runs with, on connections with tiers.
      ...(approval.credential && { credential: approval.credential }),
    },
  };
}

/** What a reviewer decides on: the approval and its masked view (the request's body, or the difference a change makes). */
async function decisionView(ctx: ApprovalContext, req: HttpRequest): Promise<HttpResponseInit> {
  const { principal, state } = await ctx.identify(req.headers);
  const approval = await ctx.store.get(req.params.id ?? '');
  if (!approval) throw unknownApproval(req.params.id ?? '');
  const reviewer = reviewerOf(principal);
  const involved = reviewer.groups.some((g) => approval.review.groups.includes(g)) || samePerson(reviewer, requesterOf(approval));
  if (!involved && !inAnyGroup(principal, state.policy.auditorGroups)) throw notYourApproval();
  const view = await ctx.held.getView(approval.id);
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { ...summary(ctx, approval, mayDecide(approval, reviewer, ctx.now())), ...(view ? { view } : {}) },
  };
}

async function decisionBody(req: HttpRequest): Promise<z.infer<typeof decisionSchema>> {
  const bytes = req.body ? await readAll(req.body as ReadableStream<Uint8Array>, MAX_DECISION_BYTES) : new Uint8Array(0);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalidDecision('The body is not JSON.');
  }
  const parsed = decisionSchema.safeParse(json);
  if (!parsed.success) throw invalidDecision('Send {"decision": "approve" | "deny", "reason": "..."}; reason is optional, up to 1000 characters.');
  return parsed.data;
}
