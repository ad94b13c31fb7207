// Holds a model's answer whose tool call needs a review: the answer as it would be with the call
// passed is stored as the approval's result straight away, reviewers see it (masked) as the held
// request's view, and nothing is run on approval — the agent repeats its request and gets the
// answer once (repeat.ts). Otherwise an approval like any other: recorded, stored, queued.
import type { AnswerHolds, HeldAnswer } from '../gateway/tool-calls.js';
import { truncateUtf8 } from '../platform/bytes.js';
import type { ApprovalContext } from './context.js';
import { VIEW_BODY_BYTES } from './capture.js';
import { newApprovalId } from './ids.js';
import { aliasesFromClaims } from './people.js';
import { rememberRepeat, requestKey } from './repeat.js';
import { openApproval, type ApprovalEventBase } from './state.js';

export function createAnswerHolds(ctx: ApprovalContext): AnswerHolds {
  return { newId: newApprovalId, hold: (held) => holdAnswer(ctx, held) };
}

async function holdAnswer(ctx: ApprovalContext, held: HeldAnswer): Promise<void> {
  const { policy, masker } = held.state;
  const review = held.decision.review!;
  const id = held.approvalId;
  const approval = openApproval({
    id,
    now: ctx.now(),
    timeoutMs: review.timeoutMs,
    base: held.base as ApprovalEventBase,
    requesterAliases: aliasesFromClaims(held.principal.claims),
    rule: held.decision.rule,
    message: held.decision.reason,
    review: { groups: review.groups, minApprovals: review.minApprovals },
  });
  const { request, principal, operation } = held;
  const bytes = request.body.bytes ?? new Uint8Array(0);
  await ctx.held.putRequest(id, {
    method: request.method,
    target: request.target && { path: request.target.path, search: request.target.search },
    headers: [],
    body: Buffer.from(bytes).toString('base64'),
    principal: { subject: principal.subject, issuer: principal.issuer, groups: [...principal.groups], kind: principal.kind, claims: { ...principal.claims } },
    operation: { ...operation },
    answer: true,
  });
  // The answer is masked already; reviewers read the proposed call in it.
  const text = new TextDecoder().decode(held.answer.body);
  const view = truncateUtf8(text, VIEW_BODY_BYTES);
  await ctx.held.putView(id, {
    method: request.method,
    summary: masker.text(`Tool call proposed in the answer to ${operation.summary}`).text,
    contentType: held.answer.headers.find(([name]) => name === 'content-type')?.[1],
    bytes: held.answer.body.byteLength,
    body: view,
    truncated: view.length < text.length,
    findings: 0,
  });
  await ctx.held.putResult(id, { status: held.answer.status, headers: held.answer.headers, body: Buffer.from(held.answer.body).toString('base64') });
  await ctx.record(policy.recording, [
    {
      ...approval.base,
      type: 'approval.requested',
      approval: { id, status: 'pending', expiresAt: approval.expiresAt },
      details: { rule: approval.rule, reviewers: review.groups.join(', '), minApprovals: review.minApprovals, heldAnswer: true },
    },
  ]);
  await ctx.store.create(approval);
  await rememberRepeat(ctx, requestKey(principal, held.connection.name, request), id);
  await ctx.messages.schedule(id, 'timeout', new Date(approval.expiresAt));
  await ctx.messages.send(id, 'requested');
}
