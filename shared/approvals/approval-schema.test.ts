import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approvalSchema } from './approval-schema.js';
import { expire, openApproval, type Approval } from './state.js';

const T0 = new Date('2030-01-01T10:00:00.000Z');

function stored(): Approval {
  const opened = openApproval({
    id: 'api.0123456789abcdef0123456789abcdef',
    now: T0,
    timeoutMs: 60_000,
    base: {
      sessionId: 's-1',
      requestId: 'r-1',
      principal: { subject: 'agent-7', issuer: 'https://issuer.example', groups: ['agents'] },
      connection: 'api',
      operation: { kind: 'http', summary: 'DELETE /items/1', actions: ['DELETE /items/1'], resources: [], flags: [] },
    },
    requesterAliases: [],
    rule: 'review-deletes',
    message: 'Deletes need a review',
    review: { groups: ['reviewers'], minApprovals: 1 },
  });
  return expire(opened, new Date(T0.getTime() + 60_000))!;
}

describe('a stored approval', () => {
  it('is read back as written, its outbox event included', () => {
    const approval = JSON.parse(JSON.stringify(stored())) as Approval;
    assert.equal(approval.outbox.length, 1);
    assert.deepEqual(approvalSchema.parse(approval), approval);
  });

  // The recorder trusts the events it is given: what an outbox will put in the session log is checked
  // here, where it comes in from the Table, as strictly as the log's schema (or the line would not verify).
  it('is refused when its outbox holds what the session log could not', () => {
    const changed = (change: (a: Approval) => void) => {
      const approval = JSON.parse(JSON.stringify(stored())) as Approval;
      change(approval);
      return approval;
    };
    for (const approval of [
      changed((a) => (a.outbox[0]!.event.approval.expiresAt = 'tomorrow')),
      changed((a) => (a.outbox[0]!.event.approval.id = '')),
      changed((a) => (a.outbox[0]!.event.error = { type: '', detail: 'x' })),
      changed((a) => (a.base.sessionId = '../other-session')),
      changed((a) => (a.base.requestId = 'r'.repeat(201))),
    ]) {
      assert.equal(approvalSchema.safeParse(approval).success, false);
    }
  });
});
