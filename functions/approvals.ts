// The approval API: the agent's Durable-style status URL, and decisions by API (CI gates, scripts).
import { approvalDecision as decide, approvalStatus as status } from '../shared/approvals/index.js';
import { runtime } from '../shared/app/runtime.js';
import { defineHttp } from '../shared/platform/triggers.js';

export const approvalStatus = defineHttp({
  name: 'approval-status',
  route: 'approvals/{id}',
  methods: ['GET'],
  handler: (req) => status(runtime(), req),
});

export const approvalDecision = defineHttp({
  name: 'approval-decision',
  route: 'approvals/{id}/decision',
  methods: ['POST'],
  handler: (req) => decide(runtime(), req),
});
