// Closes an open approval as failed and records why (an `error` event in the session).
import type { ApprovalContext } from './context.js';
import { flushOutbox } from './outbox.js';
import { fail, type Approval, type Failure } from './state.js';

export async function failApproval(ctx: ApprovalContext, id: string, failure: Failure): Promise<Approval> {
  const { approval } = await ctx.store.update(id, (a) => fail(a, failure, ctx.now()));
  return flushOutbox(ctx, approval);
}
