// A reviewer's decision, from the API or the review page: applied to the approval under its ETag
// (the first decision to close it wins; a later one finds it closed and gets 409), recorded, and
// handed to the orchestrator with a `decided` message once the approval is approved or denied.
import type { ApprovalContext } from './context.js';
import type { Person } from './people.js';
import { flushOutbox } from './outbox.js';
import { applyVerdict, type Approval, type DecisionInput } from './state.js';

export async function submitDecision(ctx: ApprovalContext, id: string, reviewer: Person, input: DecisionInput): Promise<Approval> {
  const now = ctx.now();
  const { approval } = await ctx.store.update(id, (a) => applyVerdict(a, reviewer, input, now));
  const log = ctx.log.child({ approvalId: id });
  // The decision stands once written. Should the log or the queue be down now, the orchestrator
  // flushes the outbox before it acts, and the timeout message re-sends `decided` for an approval
  // still waiting to run; nothing runs before its approval is in the session log.
  await flushOutbox(ctx, approval).catch((error: unknown) => log.warn('decision not yet recorded; the orchestrator will', { error: String(error) }));
  if (approval.status === 'approved' || approval.status === 'denied') {
    await ctx.messages.send(id, 'decided').catch((error: unknown) => log.error('decided message not sent; the timeout message re-sends it', { error: String(error) }));
  }
  return approval;
}
