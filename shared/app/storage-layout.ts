// Every container, table and queue the app uses, in one list: the dev stack provisions them and
// the infra test checks that the Bicep creates them. Each module names its own; this gathers them.
import { APPROVALS_CONTAINER, APPROVALS_QUEUE_SETTINGS, APPROVALS_TABLE } from '../approvals/names.js';
import { MCP_TABLE } from '../gateway/mcp/store.js';
import { EXPORT_CONTAINER, SESSION_CONTAINER, TABLES } from '../sessions/index.js';

export const CONTAINERS = [SESSION_CONTAINER, EXPORT_CONTAINER, APPROVALS_CONTAINER];

export const TABLE_NAMES = [...new Set([...Object.values(TABLES), APPROVALS_TABLE, MCP_TABLE])];

/** Queue settings, as the infra declares them in Service Bus. */
export const QUEUES = [APPROVALS_QUEUE_SETTINGS];
