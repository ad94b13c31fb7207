// The decision API (POST /api/approvals/{id}/decision) on the local stack: who may decide, when a
// decision is refused (403, 409, 410), minApprovals, concurrent decisions, and what is recorded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { secretSamples } from '../../support/masking.js';
import {
  decision,
  eventsOf,
  handled,
  holdRequest,
  json,
  startApprovalStack,
  status,
  upstreamCalls,
  type ApprovalStack,
} from './support.js';

let s: ApprovalStack;
let agent: string;
let rita: string;
let sam: string;

before(async () => {
  s = await startApprovalStack({ teams: false });
  agent = await s.token('agent-7', ['agents']);
  rita = await s.token('rita', ['reviewers']);
  sam = await s.token('sam', ['reviewers']);
});

after(async () => {
  await s?.stop();
});

const problemOf = async (res: Response) => {
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  return (await res.json()) as Record<string, unknown>;
};

describe('decision API', () => {
  it('approves: the orchestrator carries the request out and the status answers with the masked result', async () => {
    const secret = secretSamples()['github-token']!();
    s.upstream.route('/items/1', (_req, res) => json(res, 200, { deleted: 1, token: secret }, { 'x-upstream': 'yes' }));
    const held = await holdRequest(s, 'items/1', agent);
    assert.equal(upstreamCalls(s, '/items/1').length, 0, 'nothing reaches the target before a decision');

    const res = await decision(s, held.id, rita, { decision: 'approve', reason: 'cleanup ticket 12' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: held.id, status: 'approved', approvals: 1, required: 1 });

    const done = await status(s, held.id, agent, { prefer: 'wait=20' });
    assert.equal(done.status, 200);
    assert.equal(done.headers.get('x-upstream'), 'yes');
    assert.equal(done.headers.get('x-portcullis-approval'), `${held.id}; status=completed`);
    const text = await done.text();
    assert.ok(!text.includes(secret), 'the result is masked');
    assert.equal(JSON.parse(text).deleted, 1);
    const call = upstreamCalls(s, '/items/1');
    assert.equal(call.length, 1);
    assert.equal(call[0]!.method, 'DELETE');
    assert.equal(call[0]!.headers.authorization, `Bearer ${s.upstreamToken}`, 'the gateway credential, not the agent token');

    const events = await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);
    assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'approval.decided', 'response']);
    const decided = events.find((e) => e.type === 'approval.decided')!;
    assert.equal(decided.approval!.status, 'approved');
    assert.equal(decided.approval!.reviewer!.subject, 'rita');
    assert.equal(decided.approval!.reason, 'cleanup ticket 12');
  });

  it('refuses a reviewer outside the rule\'s groups with 403 and changes nothing', async () => {
    const held = await holdRequest(s, 'items/2', agent);
    const outsider = await s.token('olga', ['agents', 'ops']);
    const res = await decision(s, held.id, outsider, { decision: 'approve' });
    assert.equal(res.status, 403);
    assert.equal((await problemOf(res)).type, 'urn:portcullis:problem:not-a-reviewer');
    assert.equal((await status(s, held.id, agent)).status, 202);
  });

  it('refuses self-approval with 403, even when the requester is a reviewer', async () => {
    const both = await s.token('ada', ['agents', 'reviewers']);
    const held = await holdRequest(s, 'items/3', both);
    const res = await decision(s, held.id, both, { decision: 'approve' });
    assert.equal(res.status, 403);
    assert.equal((await problemOf(res)).type, 'urn:portcullis:problem:self-approval');
    assert.equal((await status(s, held.id, both)).status, 202);
  });

  it('answers 410 to a decision after the expiry, and the agent is told 410', async () => {
    const held = await holdRequest(s, 'quick/1', agent);
    await new Promise((r) => setTimeout(r, 3_200));
    const res = await decision(s, held.id, rita, { decision: 'approve' });
    assert.equal(res.status, 410);
    assert.equal((await problemOf(res)).type, 'urn:portcullis:problem:approval-expired');
    const answer = await status(s, held.id, agent);
    assert.equal(answer.status, 410);
    assert.equal((await problemOf(answer)).type, 'urn:portcullis:problem:approval-expired');
    assert.equal(upstreamCalls(s, '/quick/1').length, 0);
  });

  it('answers 409 to a second decision on a closed approval and changes nothing', async () => {
    const held = await holdRequest(s, 'items/4', agent);
    assert.equal((await decision(s, held.id, rita, { decision: 'deny', reason: 'not today' })).status, 200);
    const second = await decision(s, held.id, sam, { decision: 'approve' });
    assert.equal(second.status, 409);
    assert.equal((await problemOf(second)).type, 'urn:portcullis:problem:approval-closed');
    const answer = await status(s, held.id, agent);
    assert.equal(answer.status, 403);
    const problem = await problemOf(answer);
    assert.equal(problem.type, 'urn:portcullis:problem:approval-denied');
    assert.equal(problem.reason, 'not today');
    assert.equal(upstreamCalls(s, '/items/4').length, 0);
    const events = await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);
    assert.equal(events.filter((e) => e.type === 'approval.decided').length, 1);
  });

  it('needs two distinct reviewers under minApprovals 2; the same reviewer twice is 409', async () => {
    const held = await holdRequest(s, 'vaults/1', agent);
    const first = await decision(s, held.id, rita, { decision: 'approve' });
    assert.deepEqual(await first.json(), { id: held.id, status: 'pending', approvals: 1, required: 2 });
    const again = await decision(s, held.id, await s.token('rita', ['reviewers']), { decision: 'approve' });
    assert.equal(again.status, 409);
    assert.equal((await problemOf(again)).type, 'urn:portcullis:problem:already-decided');
    assert.equal((await status(s, held.id, agent)).status, 202);

    const second = await decision(s, held.id, sam, { decision: 'approve', reason: 'second pair of eyes' });
    assert.deepEqual(await second.json(), { id: held.id, status: 'approved', approvals: 2, required: 2 });
    assert.equal((await status(s, held.id, agent, { prefer: 'wait=20' })).status, 200);
    assert.equal(upstreamCalls(s, '/vaults/1').length, 1);
    const events = await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);
    const decided = events.filter((e) => e.type === 'approval.decided');
    assert.deepEqual(decided.map((e) => [e.approval!.reviewer!.subject, e.approval!.status]), [['rita', 'pending'], ['sam', 'approved']]);
  });

  it('counts one Entra object once under minApprovals 2, whichever app registration its token names it by', async () => {
    const held = await holdRequest(s, 'vaults/2', agent);
    // Entra issues a subject per application; tid and oid name the person.
    const entra = { claims: { tid: 'tenant-1', oid: 'object-alice' } };
    const app1 = await s.token('alice-app-1', ['reviewers'], entra);
    const app2 = await s.token('alice-app-2', ['reviewers'], entra);
    assert.equal((await decision(s, held.id, app1, { decision: 'approve' })).status, 200);
    const inbox = await fetch(`${s.stack.url}/api/approvals`, { headers: { authorization: `Bearer ${app2}` } });
    assert.ok(!((await inbox.json()) as { approvals: Array<{ id: string }> }).approvals.some((a) => a.id === held.id), 'not offered to decide again');
    const view = await fetch(`${s.stack.url}/api/approvals/${held.id}/decision`, { headers: { authorization: `Bearer ${app2}` } });
    assert.equal(((await view.json()) as { mayDecide: boolean }).mayDecide, false);
    const again = await decision(s, held.id, app2, { decision: 'approve' });
    assert.equal(again.status, 409);
    assert.equal((await problemOf(again)).type, 'urn:portcullis:problem:already-decided');
    assert.equal((await status(s, held.id, agent)).status, 202);
    assert.equal(upstreamCalls(s, '/vaults/2').length, 0);
  });

  it('lets exactly one of two simultaneous approvals win: the request runs once', async () => {
    const held = await holdRequest(s, 'items/5', agent);
    const results = await Promise.all([
      decision(s, held.id, rita, { decision: 'approve' }),
      decision(s, held.id, sam, { decision: 'approve' }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
    assert.equal((await status(s, held.id, agent, { prefer: 'wait=20' })).status, 200);
    await handled(s, held.id, 'decided');
    assert.equal(upstreamCalls(s, '/items/5').length, 1);
    const events = await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);
    assert.equal(events.filter((e) => e.type === 'approval.decided').length, 1);
    assert.equal(events.filter((e) => e.type === 'response').length, 1);
  });

  it('posts no card without a webhook, and says so once in the log', async () => {
    const warnings = s.stack.log.lines.filter((l) => String(l.message).startsWith('PORTCULLIS_TEAMS_WEBHOOK_URL is not set'));
    assert.equal(warnings.length, 1);
    assert.equal(s.teams.received.length, 0);
  });

  it('refuses a malformed decision (400) and a missing token (401)', async () => {
    const held = await holdRequest(s, 'items/6', agent);
    const bad = await decision(s, held.id, rita, { decision: 'maybe' });
    assert.equal(bad.status, 400);
    assert.equal((await problemOf(bad)).type, 'urn:portcullis:problem:invalid-decision');
    const anonymous = await fetch(`${s.stack.url}/api/approvals/${held.id}/decision`, { method: 'POST', body: '{"decision":"approve"}' });
    assert.equal(anonymous.status, 401);
    const unknown = await decision(s, 'api.00000000000000000000000000000000', rita, { decision: 'approve' });
    assert.equal(unknown.status, 404);
  });
});
