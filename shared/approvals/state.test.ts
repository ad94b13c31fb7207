import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../platform/problem.js';
import { mayDecide } from './list.js';
import type { Person } from './people.js';
import {
  canMove,
  complete,
  applyVerdict,
  effectiveStatus,
  expire,
  fail,
  flushed,
  INTERRUPTED,
  markCardPosted,
  startExecution,
  STATUSES,
  type Approval,
  type DecisionInput,
  type Status,
} from './state.js';
import { ISSUER, openedApproval, T0 } from '../../test/support/approvals.js';

const later = (ms: number) => new Date(T0.getTime() + ms);
const approval = openedApproval;

const person = (subject: string, groups = ['reviewers'], extra: Partial<Person> = {}): Person => ({ subject, issuer: ISSUER, groups, aliases: [], ...extra });
const approve: DecisionInput = { verdict: 'approve', via: 'api' };
const refusalOf = (fn: () => unknown): Refusal => {
  try {
    fn();
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  assert.fail('expected a Refusal');
};
const withStatus = (a: Approval, status: Status): Approval => ({ ...a, status });

describe('approval state machine: transitions', () => {
  it('opens pending, expiring after the rule\'s timeout', () => {
    const a = approval();
    assert.equal(a.status, 'pending');
    assert.equal(a.expiresAt, '2030-01-01T10:01:00.000Z');
    assert.deepEqual(a.outbox, []);
  });

  it('pending → approved on an eligible approval, with approval.decided in the outbox', () => {
    const a = applyVerdict(approval(), person('rita'), { ...approve, reason: 'ok' }, later(1_000));
    assert.equal(a.status, 'approved');
    assert.deepEqual(a.outbox, [
      {
        seq: 0,
        event: {
          type: 'approval.decided',
          approval: { id: a.id, status: 'approved', reviewer: { subject: 'rita', issuer: ISSUER }, reason: 'ok' },
          details: { verdict: 'approve', approvals: 1, required: 1, via: 'api' },
        },
      },
    ]);
  });

  it('pending → denied on any eligible deny, even after an approval under minApprovals 2', () => {
    const first = applyVerdict(approval(2), person('rita'), approve, later(1));
    assert.equal(first.status, 'pending');
    const denied = applyVerdict(first, person('sam'), { verdict: 'deny', reason: 'no', via: 'page', link: 'j1' }, later(2));
    assert.equal(denied.status, 'denied');
    assert.equal(denied.outbox.at(-1)!.event.approval.status, 'denied');
    assert.equal(denied.decisions.at(-1)!.link, 'j1');
  });

  it('stays pending until minApprovals distinct reviewers approve', () => {
    const one = applyVerdict(approval(2), person('rita'), approve, later(1));
    assert.equal(one.status, 'pending');
    assert.equal(one.outbox[0]!.event.approval.status, 'pending');
    const two = applyVerdict(one, person('sam'), approve, later(2));
    assert.equal(two.status, 'approved');
    assert.deepEqual(two.outbox.map((e) => e.seq), [0, 1]);
  });

  it('pending → expired on the timeout, with approval.expired; nothing else expires', () => {
    const expired = expire(approval(), later(60_000))!;
    assert.equal(expired.status, 'expired');
    assert.deepEqual(expired.outbox[0]!.event, { type: 'approval.expired', approval: { id: expired.id, status: 'expired', expiresAt: expired.expiresAt } });
    for (const status of STATUSES.filter((s) => s !== 'pending')) assert.equal(expire(withStatus(approval(), status), later(60_000)), undefined, status);
  });

  it('approved → executing → completed, each only from its own state', () => {
    const approved = applyVerdict(approval(), person('rita'), approve, later(1));
    const executing = startExecution(approved, later(2))!;
    assert.equal(executing.status, 'executing');
    assert.equal(executing.executingSince, later(2).toISOString());
    assert.equal(startExecution(executing, later(3)), undefined, 'a second claim finds it executing');
    const completed = complete(executing, 204, later(4))!;
    assert.equal(completed.status, 'completed');
    assert.equal(completed.responseStatus, 204);
    for (const status of STATUSES.filter((s) => s !== 'approved')) assert.equal(startExecution(withStatus(approval(), status), T0), undefined, status);
    for (const status of STATUSES.filter((s) => s !== 'executing')) assert.equal(complete(withStatus(approval(), status), 200, T0), undefined, status);
  });

  it('pending, approved and executing → failed, with an error event; closed approvals stay closed', () => {
    for (const status of ['pending', 'approved', 'executing'] as const) {
      const failed = fail(withStatus(approval(), status), INTERRUPTED, later(5))!;
      assert.equal(failed.status, 'failed');
      assert.deepEqual(failed.failure, INTERRUPTED);
      assert.deepEqual(failed.outbox[0]!.event, {
        type: 'error',
        approval: { id: failed.id, status: 'failed' },
        error: { type: 'execution-interrupted', detail: INTERRUPTED.detail },
      });
    }
    for (const status of ['denied', 'expired', 'completed', 'failed'] as const) assert.equal(fail(withStatus(approval(), status), INTERRUPTED, T0), undefined);
  });

  it('allows exactly the transitions of the diagram', () => {
    const allowed = STATUSES.flatMap((from) => STATUSES.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
    assert.deepEqual(allowed, [
      'pending→pending', 'pending→approved', 'pending→denied', 'pending→expired', 'pending→failed',
      'approved→executing', 'approved→failed',
      'executing→completed', 'executing→failed',
    ]);
  });

  it('marks the card posted once', () => {
    const posted = markCardPosted(approval(), later(1))!;
    assert.equal(posted.cardPostedAt, later(1).toISOString());
    assert.equal(markCardPosted(posted, later(2)), undefined);
  });

  it('drops flushed outbox entries only', () => {
    const two = applyVerdict(applyVerdict(approval(2), person('rita'), approve, later(1)), person('sam'), approve, later(2));
    assert.deepEqual(flushed(two, 0)!.outbox.map((e) => e.seq), [1]);
    assert.equal(flushed(flushed(two, 1)!, 1), undefined);
  });

  it('reads a pending approval past its expiry as expired', () => {
    assert.equal(effectiveStatus(approval(), later(59_999)), 'pending');
    assert.equal(effectiveStatus(approval(), later(60_000)), 'expired');
    assert.equal(effectiveStatus(withStatus(approval(), 'approved'), later(60_000)), 'approved');
  });
});

describe('approval state machine: refused decisions', () => {
  it('refuses a reviewer outside the review groups (403)', () => {
    const r = refusalOf(() => applyVerdict(approval(), person('olga', ['ops']), approve, later(1)));
    assert.equal(r.status, 403);
    assert.equal(r.type, 'not-a-reviewer');
  });

  it('refuses the requester (403), by subject and issuer or by Entra object id', () => {
    assert.equal(refusalOf(() => applyVerdict(approval(), person('agent-7', ['reviewers']), approve, later(1))).type, 'self-approval');
    const sameObject = person('other-sub', ['reviewers'], { issuer: 'https://login.example/v2.0', aliases: ['entra:t1:o-agent'] });
    assert.equal(refusalOf(() => applyVerdict(approval(), sameObject, { verdict: 'deny', via: 'page' }, later(1))).status, 403);
    assert.equal(applyVerdict(approval(), person('agent-7', ['reviewers'], { issuer: 'https://other.example' }), approve, later(1)).status, 'approved');
  });

  it('refuses after the expiry (410), whether or not the timeout has been handled', () => {
    assert.equal(refusalOf(() => applyVerdict(approval(), person('rita'), approve, later(60_000))).status, 410);
    assert.equal(refusalOf(() => applyVerdict(expire(approval(), later(60_000))!, person('rita'), approve, later(1))).type, 'approval-expired');
  });

  it('refuses a decision on a closed approval (409) and changes nothing', () => {
    for (const status of ['approved', 'denied', 'executing', 'completed', 'failed'] as const) {
      const closed = withStatus(approval(), status);
      const r = refusalOf(() => applyVerdict(closed, person('sam'), approve, later(1)));
      assert.equal(r.status, 409, status);
      assert.equal(r.type, 'approval-closed');
    }
  });

  it('refuses a reviewer deciding twice (409), and a link used twice (409)', () => {
    const once = applyVerdict(approval(2), person('rita'), { ...approve, via: 'page', link: 'jti-1' }, later(1));
    assert.equal(refusalOf(() => applyVerdict(once, person('rita'), { ...approve, via: 'page', link: 'jti-1' }, later(2))).type, 'link-used');
    assert.equal(refusalOf(() => applyVerdict(once, person('rita'), approve, later(2))).type, 'already-decided');
    assert.equal(applyVerdict(once, person('sam'), { ...approve, via: 'page', link: 'jti-1' }, later(2)).status, 'approved', 'the card link is shared by all reviewers');
  });

  it('refuses the same Entra object deciding again under another subject (409): one person is one reviewer', () => {
    const entra = (subject: string, issuer = ISSUER) => person(subject, ['reviewers'], { issuer, aliases: ['entra:t1:o-rita'] });
    const once = applyVerdict(approval(2), entra('rita-app-1'), approve, later(1));
    assert.deepEqual(once.decisions[0]!.aliases, ['entra:t1:o-rita'], 'the decision keeps who decided, not just the subject');
    for (const again of [entra('rita-app-2'), entra('o-rita', 'https://login.microsoftonline.com/t1/v2.0')]) {
      assert.equal(refusalOf(() => applyVerdict(once, again, approve, later(2))).type, 'already-decided', again.subject);
      assert.equal(mayDecide(once, again, later(2)), false, again.subject);
    }
    assert.equal(mayDecide(once, person('sam'), later(2)), true);
  });

  it('still recognises a reviewer by subject and issuer on a decision stored without aliases', () => {
    const stored = applyVerdict(approval(2), person('rita'), approve, later(1));
    assert.equal(stored.decisions[0]!.aliases, undefined);
    const rita = person('rita', ['reviewers'], { aliases: ['entra:t1:o-rita'] });
    assert.equal(refusalOf(() => applyVerdict(stored, rita, approve, later(2))).type, 'already-decided');
    assert.equal(mayDecide(stored, rita, later(2)), false);
  });
});
