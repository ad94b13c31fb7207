// Every container, table and queue the app uses, in one list: the dev stack provisions them and
// the infra test checks that the Bicep creates them.
import { APPROVALS_TABLE } from '../approvals/store.js';
import { EXPORT_CONTAINER, SESSION_CONTAINER, TABLES } from '../sessions/index.js';
import { APPROVALS_QUEUE, HEALTH_TABLE } from './health-checks.js';

export const APPROVALS_CONTAINER = 'approvals';

export const CONTAINERS = [SESSION_CONTAINER, EXPORT_CONTAINER, APPROVALS_CONTAINER];

export const TABLE_NAMES = [...new Set([...Object.values(TABLES), HEALTH_TABLE, APPROVALS_TABLE])];

/** Queue settings, as the infra declares them in Service Bus. */
export const QUEUES = [
  { name: APPROVALS_QUEUE, maxDeliveryCount: 5, lockDurationMs: 60_000, duplicateDetectionWindowMs: 10 * 60_000 },
];
