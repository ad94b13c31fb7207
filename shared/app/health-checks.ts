// What GET /api/health checks: the storage the session log and approvals live in, the Service
// Bus queue approvals travel on, and that a valid policy is in force.
import type { Check } from '../platform/health.js';
import { SESSION_CONTAINER } from '../sessions/index.js';
import type { Runtime } from './runtime.js';

export const APPROVALS_QUEUE = 'approvals';
/** A table every deployment has (the approvals state). */
export const HEALTH_TABLE = 'approvals';

export function healthChecks(rt: Runtime): Record<string, Check> {
  return {
    blob: async () => {
      await rt.clients.blobs.getContainerClient(SESSION_CONTAINER).getProperties();
    },
    table: async () => {
      await rt.clients.table(HEALTH_TABLE).listEntities({ queryOptions: { select: ['PartitionKey'] } }).byPage({ maxPageSize: 1 }).next();
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
