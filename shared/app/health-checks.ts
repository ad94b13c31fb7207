// What GET /api/health checks: the storage the session log and approvals live in, the Service
// Bus queue approvals travel on, and that a valid policy is in force.
import { APPROVALS_QUEUE, APPROVALS_TABLE } from '../approvals/names.js';
import type { Check } from '../platform/health.js';
import { SESSION_CONTAINER } from '../sessions/index.js';
import type { Runtime } from './runtime.js';

export function healthChecks(rt: Runtime): Record<string, Check> {
  return {
    blob: async () => {
      await rt.clients.blobs.getContainerClient(SESSION_CONTAINER).getProperties();
    },
    table: async () => {
      // A table every deployment has.
      await rt.clients.table(APPROVALS_TABLE).listEntities({ queryOptions: { select: ['PartitionKey'] } }).byPage({ maxPageSize: 1 }).next();
    },
    serviceBus: async () => {
      const sender = rt.clients.serviceBus.createSender(APPROVALS_QUEUE);
      try {
        await sender.createMessageBatch();
      } finally {
        await sender.close();
      }
    },
    policy: async () => {
      await rt.policies.current();
    },
  };
}
