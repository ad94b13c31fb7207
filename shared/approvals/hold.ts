// hold: a `review` decision becomes an approval. The held request goes to blob storage, the
// approval.requested event to the session log, the approval to the Table, and two messages to the
// queue (`requested` now, `timeout` scheduled for the expiry); the agent gets 202 and a status URL
// (or its kind's refusal naming them, status.ts: kubectl cannot read a 202), or the outcome itself
// when it asked to wait (Prefer: wait=N) and a reviewer was quick. A client
// that cannot follow the status URL (a CLI that fails on 202) sends the same request again instead:
// it is found by its repeat key (repeat.ts), and gets the open approval's status, or its answer once.
import type { HeldRequest, Hold } from '../gateway/pipeline.js';
import { reviewView, storedRequest } from './capture.js';
import type { ApprovalContext } from './context.js';
import { credentialUse } from './credential-use.js';
import { failApproval } from './fail.js';
import { newApprovalId } from './ids.js';
import { aliasesFromClaims } from './people.js';
import { preferredWait } from './prefer.js';
import { rememberRepeat, requestKey } from './repeat.js';
import { noReviewers, reviewUnavailable } from './refusals.js';
import { openApproval, type ApprovalEventBase } from './state.js';
import { answer } from './status.js';

export function createHold(ctx: ApprovalContext): Hold {
  return async (held: HeldRequest) => {
    const { policy, masker } = held.state;
    const review = held.decision.review;
    if (!review) {
      // The policy compiler requires reviewers on review rules; should none be known, nothing is held.
      throw noReviewers(held.decision.rule);
    }
    const approval = openApproval({
      id: newApprovalId(held.connection.name),
      now: ctx.now(),
      timeoutMs: review.timeoutMs,
      base: held.base as ApprovalEventBase,
      requesterAliases: aliasesFromClaims(held.principal.claims),
      rule: held.decision.rule,
      message: held.decision.reason,
      review: { groups: review.groups, minApprovals: review.minApprovals },
      credential: credentialUse(held),
    });
    const { id } = approval;
    await ctx.held.putRequest(id, storedRequest(held));
    await ctx.held.putView(id, reviewView(masker, held));
    await ctx.record(policy.recording, [
      {
        ...approval.base,
        type: 'approval.requested',
        approval: { id, status: 'pending', expiresAt: approval.expiresAt },
        // The tier an approval would grant (admin when the rule elevates), for auditors.
        details: { rule: approval.rule, reviewers: review.groups.join(', '), minApprovals: review.minApprovals, tier: held.decision.tier },
      },
    ]);
    let created = false;
    try {
      await ctx.store.create(approval);
      created = true;
      await rememberRepeat(ctx, requestKey(held.principal, held.connection.name, held.request), id);
      await ctx.messages.schedule(id, 'timeout', new Date(approval.expiresAt));
      await ctx.messages.send(id, 'requested');
    } catch (error) {
      // The request is recorded as held; say in the log that the hold went no further.
      ctx.log.error('approval could not be started', { approvalId: id, created, error: error instanceof Error ? error.message : String(error) });
      const failure = { type: 'approval-unavailable', detail: 'The approval could not be stored or queued for reviewers.' };
      await (created
        ? failApproval(ctx, id, failure)
        : ctx.record(policy.recording, [{ ...approval.base, type: 'error', approval: { id, status: 'failed' }, error: failure }])
      ).catch(() => undefined);
      throw reviewUnavailable();
    }
    return answer(ctx, approval, preferredWait(held.prefer), held.request);
  };
}
