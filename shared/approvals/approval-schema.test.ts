import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approvalSchema } from './approval-schema.js';
import { applyVerdict, expire, type Approval } from './state.js';
import { openedApproval, T0 } from '../../test/support/approvals.js';

/** An approval past its timeout, its outbox holding the expiry's event. */
const stored = (): Approval => expire(openedApproval(), new Date(T0.getTime() + 60_000))!;

describe('a stored approval', () => {
  it('is read back as written, its outbox event included', () => {
    const approval = JSON.parse(JSON.stringify(stored())) as Approval;
    assert.equal(approval.outbox.length, 1);
    assert.deepEqual(approvalSchema.parse(approval), approval);
  });

  it('reads decisions with the reviewer\'s aliases, and those stored before decisions kept them', () => {
    const decided = applyVerdict(openedApproval(2), { subject: 'rita', issuer: 'https://issuer.example', groups: ['reviewers'], aliases: ['entra:t1:o-rita'] }, { verdict: 'approve', via: 'api' }, T0);
    const approval = JSON.parse(JSON.stringify(decided)) as Approval;
    assert.deepEqual(approvalSchema.parse(approval).decisions[0]!.aliases, ['entra:t1:o-rita']);
    delete approval.decisions[0]!.aliases;
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
