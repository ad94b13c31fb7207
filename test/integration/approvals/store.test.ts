// The approvals table under concurrency, on Azurite: every change is a conditional (ETag) write,
// so of writers racing from the same version exactly one wins and the others re-read and find it
// changed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { newApprovalId } from '../../../shared/approvals/ids.js';
import { createApprovalStore, type ApprovalStore } from '../../../shared/approvals/store.js';
import { applyVerdict, openApproval, startExecution, type Approval } from '../../../shared/approvals/state.js';
import { Refusal } from '../../../shared/platform/problem.js';

let azurite: Azurite;
let store: ApprovalStore;
/** A second store, as another instance of the app would have. */
let other: ApprovalStore;

before(async () => {
  azurite = await startAzurite();
  const table = () => TableClient.fromConnectionString(azurite.connectionString, 'approvals', { allowInsecureConnection: true });
  await table().createTable();
  store = createApprovalStore(table());
  other = createApprovalStore(table());
});

after(async () => {
  await azurite?.stop();
});

const ISSUER = 'https://issuer.example';
const reviewer = (subject: string) => ({ subject, issuer: ISSUER, groups: ['reviewers'], aliases: [] });

async function created(minApprovals = 1): Promise<Approval> {
  const approval = openApproval({
    id: newApprovalId('orders'),
    now: new Date(),
    timeoutMs: 600_000,
    base: {
      sessionId: 's-1',
      requestId: 'r-1',
      principal: { subject: 'agent-7', issuer: ISSUER, groups: ['agents'] },
      connection: 'orders',
      operation: { kind: 'http', summary: 'DELETE /orders/1', actions: [], resources: [], flags: [] },
    },
    requesterAliases: [],
    rule: 'review-deletes',
    message: 'needs a human',
    review: { groups: ['reviewers'], minApprovals },
  });
  await store.create(approval);
  return approval;
}

describe('approval store', () => {
  it('round-trips an approval, and knows no other id', async () => {
    const approval = await created();
    assert.deepEqual(await other.get(approval.id), approval);
    assert.equal(await store.get(newApprovalId('orders')), undefined);
    assert.equal(await store.get('not-an-id'), undefined);
  });

  it('lets exactly one of two simultaneous approvals (minApprovals 1) win; the loser re-reads and gets 409', async () => {
    const approval = await created();
    let attempts = 0;
    const results = await Promise.allSettled(
      [store, other].map((s, i) =>
        s.update(approval.id, (a, attempt) => {
          attempts = Math.max(attempts, attempt);
          return applyVerdict(a, reviewer(`reviewer-${i}`), { verdict: 'approve', via: 'api' }, new Date());
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.ok(lost[0]!.reason instanceof Refusal && lost[0]!.reason.status === 409, String(lost[0]!.reason));
    const stored = (await store.get(approval.id))!;
    assert.equal(stored.status, 'approved');
    assert.equal(stored.decisions.length, 1);
    assert.equal(stored.outbox.length, 1, 'one approval.decided, not two');
  });

  it('lets exactly one of many simultaneous executions claim the approved request', async () => {
    const approval = await created();
    await store.update(approval.id, (a) => applyVerdict(a, reviewer('rita'), { verdict: 'approve', via: 'api' }, new Date()));
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? store : other).update(approval.id, (a) => startExecution(a, new Date()))));
    assert.equal(claims.filter((c) => c.changed).length, 1);
    assert.ok(claims.every((c) => c.approval.status === 'executing'));
  });

  it('keeps both of two simultaneous approvals under minApprovals 2', async () => {
    const approval = await created(2);
    await Promise.all([store, other].map((s, i) => s.update(approval.id, (a) => applyVerdict(a, reviewer(`reviewer-${i}`), { verdict: 'approve', via: 'api' }, new Date()))));
    const stored = (await store.get(approval.id))!;
    assert.equal(stored.status, 'approved');
    assert.deepEqual(stored.decisions.map((d) => d.subject).sort(), ['reviewer-0', 'reviewer-1']);
    assert.deepEqual(stored.outbox.map((e) => e.event.approval.status).sort(), ['approved', 'pending']);
  });

  it('answers 404 when updating an unknown approval', async () => {
    await assert.rejects(store.update(newApprovalId('orders'), (a) => a), (e: unknown) => e instanceof Refusal && e.status === 404);
  });
});
