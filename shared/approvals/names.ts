// The approvals' own storage: one table, one container, one queue, named here only.
export const APPROVALS_TABLE = 'approvals';
export const APPROVALS_CONTAINER = 'approvals';
export const APPROVALS_QUEUE = 'approvals';

/** The queue as the infra declares it in Service Bus (the dev stack and the infra test read this). */
export const APPROVALS_QUEUE_SETTINGS = {
  name: APPROVALS_QUEUE,
  maxDeliveryCount: 5,
  lockDurationMs: 60_000,
  duplicateDetectionWindowMs: 10 * 60_000,
} as const;
