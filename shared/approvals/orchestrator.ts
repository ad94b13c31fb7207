// The orchestrator: one queue-triggered function consuming `requested`, `decided` and `timeout`.
// Every step is decided by the approval's state, never by the message alone, so a message handled
// twice (redelivered, or sent again) finds its work done and changes nothing:
//   requested → post the Teams card, unless one was posted or the approval is closed;
//   decided   → run an approved request (at most once; see execute.ts);
//   timeout   → expire a pending approval; re-send `decided` for an approved one still waiting;
//   recheck   → settle an execution that may have been interrupted (see settleExecuting).
// A message that fails on its last delivery marks its approval failed (recorded) before Service
// Bus dead-letters it.
import { postCard } from './card-post.js';
import type { ApprovalContext } from './context.js';
import { execute, settleExecuting } from './execute.js';
import { failApproval } from './fail.js';
import { approvalMessageSchema, MAX_DELIVERIES, type ApprovalMessage } from './messages.js';
import { flushOutbox } from './outbox.js';
import { expire } from './state.js';

export interface Delivery {
  messageId?: string;
  /** Azure's count: 1 on the first delivery. */
  deliveryCount: number;
}

export async function handleApprovalMessage(ctx: ApprovalContext, body: unknown, delivery: Delivery): Promise<void> {
  const message = approvalMessageSchema.parse(parseBody(body));
  const log = ctx.log.child({ approvalId: message.approvalId, event: message.event, messageId: delivery.messageId, deliveryCount: delivery.deliveryCount });
  try {
    const outcome = await handle(ctx, message);
    log.info('approval message handled', { outcome });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (delivery.deliveryCount >= MAX_DELIVERIES) {
      log.error('approval message failed on its last delivery; the approval fails', { error: detail });
      await failApproval(ctx, message.approvalId, {
        type: 'approval-message-failed',
        detail: `The ${message.event} step failed ${delivery.deliveryCount} times and was given up (${detail.slice(0, 200)}).`,
      }).catch((e: unknown) => log.error('approval could not be marked failed', { error: String(e) }));
    }
    throw error;
  }
}

async function handle(ctx: ApprovalContext, { approvalId, event }: ApprovalMessage): Promise<string> {
  const found = await ctx.store.get(approvalId);
  if (!found) return 'unknown approval';
  const approval = await flushOutbox(ctx, found);
  switch (event) {
    case 'requested':
      return postCard(ctx, approval);
    case 'decided':
      if (approval.status !== 'approved' && approval.status !== 'executing') return `nothing to do (${approval.status})`;
      await execute(ctx, approval);
      return 'executed';
    case 'recheck':
      if (approval.status !== 'executing') return `nothing to do (${approval.status})`;
      await settleExecuting(ctx, approval);
      return 'rechecked';
    case 'timeout': {
      if (approval.status === 'approved') {
        await ctx.messages.send(approvalId, 'decided');
        return 'decided re-sent';
      }
      const { approval: expired, changed } = await ctx.store.update(approvalId, (a) => expire(a, ctx.now()));
      if (!changed) return `nothing to do (${expired.status})`;
      await flushOutbox(ctx, expired);
      return 'expired';
    }
  }
}

/** The Functions worker hands over JSON bodies parsed, as text or as bytes, depending on the host. */
function parseBody(body: unknown): unknown {
  if (typeof body === 'string') return JSON.parse(body);
  if (body instanceof Uint8Array) return JSON.parse(new TextDecoder().decode(body));
  return body;
}
