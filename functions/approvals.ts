// The approval API: a reviewer's inbox, the agent's Durable-style status URL, and decisions by API
// (CI gates, scripts).
import { defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const approvalsList = defineHttp({ name: 'approvals-list', route: ROUTES.approvalsList, methods: ['GET'], handler: entries.approvalsList });

export const approvalStatus = defineHttp({ name: 'approval-status', route: ROUTES.approvalStatus, methods: ['GET'], handler: entries.approvalStatus });

export const approvalDecision = defineHttp({ name: 'approval-decision', route: ROUTES.approvalDecision, methods: ['GET', 'POST'], handler: entries.approvalDecision });
