// The approvals orchestrator: requested, decided, timeout and recheck messages on the `approvals` queue.
import { APPROVALS_QUEUE, defineQueue, entries } from '../shared/app/index.js';

export const orchestrator = defineQueue({
  name: 'approvals-orchestrator',
  queueName: APPROVALS_QUEUE,
  connection: 'ServiceBusConnection',
  handler: entries.approvalMessage,
});
