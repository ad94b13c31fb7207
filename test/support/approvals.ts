// The approval the approval tests start from: a DELETE held for one reviewer of `reviewers`.
import { openApproval, type Approval } from '../../shared/approvals/state.js';

export const T0 = new Date('2030-01-01T10:00:00.000Z');
export const ISSUER = 'https://issuer.example';

export function openedApproval(minApprovals = 1): Approval {
  return openApproval({
    id: 'api.0123456789abcdef0123456789abcdef',
    now: T0,
    timeoutMs: 60_000,
    base: {
      sessionId: 's-1',
      requestId: 'r-1',
      principal: { subject: 'agent-7', issuer: ISSUER, groups: ['agents'] },
      connection: 'api',
      operation: { kind: 'http', summary: 'DELETE /items/1', actions: ['DELETE /items/1'], resources: [], flags: [] },
    },
    requesterAliases: ['entra:t1:o-agent'],
    rule: 'review-deletes',
    message: 'Deleting needs a human',
    review: { groups: ['reviewers'], minApprovals },
  });
}
