// The approvals orchestrator: requested, decided and timeout messages on the `approvals` queue.
import { handleApprovalMessage } from '../shared/approvals/index.js';
import { APPROVALS_QUEUE } from '../shared/app/health-checks.js';
import { runtime } from '../shared/app/runtime.js';
import { defineQueue } from '../shared/platform/triggers.js';

export const orchestrator = defineQueue({
  name: 'approvals-orchestrator',
  queueName: APPROVALS_QUEUE,
  connection: 'ServiceBusConnection',
  handler: (message, context) =>
    handleApprovalMessage(runtime(), message, {
      messageId: String(context.triggerMetadata?.messageId ?? ''),
      deliveryCount: Number(context.triggerMetadata?.deliveryCount ?? 1),
    }),
});
