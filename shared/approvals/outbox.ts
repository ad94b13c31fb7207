// Puts an approval's outbox into the session log. A transition and its event are written together
// to the Table (one conditional write); the event reaches the log when the outbox is flushed, right
// after the change and again by the orchestrator before it acts on any message. So no event is lost
// when the log is briefly unavailable, and nothing is executed before its approval is recorded.
// (Should a flush die between writing the log and clearing the outbox, the event is written twice:
// at least once, with the approval id and details.approvalSeq to tell repeats apart.)
import type { EventInput } from '../sessions/index.js';
import type { ApprovalContext } from './context.js';
import { flushed, type Approval, type OutboxEntry } from './state.js';

export async function flushOutbox(ctx: ApprovalContext, approval: Approval): Promise<Approval> {
  if (approval.outbox.length === 0) return approval;
  const { policy } = await ctx.policies.current();
  await ctx.record(policy.recording, approval.outbox.map((entry) => toEvent(approval, entry)));
  const last = approval.outbox.at(-1)!.seq;
  return (await ctx.store.update(approval.id, (a) => flushed(a, last))).approval;
}

function toEvent(approval: Approval, { seq, event }: OutboxEntry): EventInput {
  return { ...approval.base, ...event, details: { ...event.details, approvalSeq: seq } };
}
