// The agent's side of an approval on the local stack: the Durable-style 202, who may read an
// approval, Prefer: wait on the held request and on the status call, and the 403/410/502 outcomes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runtime } from '../../../shared/app/runtime.js';
import {
  cardsFor,
  decision,
  eventsOf,
  holdRequest,
  json,
  startApprovalStack,
  status,
  upstreamCalls,
  waitFor,
  type ApprovalStack,
} from './support.js';

let s: ApprovalStack;
let agent: string;
let rita: string;

before(async () => {
  s = await startApprovalStack();
  agent = await s.token('agent-7', ['agents']);
  rita = await s.token('rita', ['reviewers']);
});

after(async () => {
  await s?.stop();
});

const problemOf = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe('approval status', () => {
  it('answers a held request 202 in the shape of a Durable Functions check-status response', async () => {
    const held = await holdRequest(s, 'items/10', agent);
    const { res, id, body } = held;
    assert.match(id, /^api\.[0-9a-f]{32}$/);
    const statusUrl = `${s.stack.url}/api/approvals/${id}`;
    assert.equal(res.headers.get('location'), statusUrl);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.ok(res.headers.get('x-request-id'));
    assert.ok(res.headers.get('x-portcullis-session'));
    assert.equal(res.headers.get('x-portcullis-approval'), `${id}; status=pending`);
    assert.deepEqual(
      { ...body, createdTime: undefined, lastUpdatedTime: undefined, expiresAt: undefined },
      {
        id,
        status: 'pending',
        runtimeStatus: 'Pending',
        statusQueryGetUri: statusUrl,
        decisionPostUri: `${statusUrl}/decision`,
        createdTime: undefined,
        lastUpdatedTime: undefined,
        expiresAt: undefined,
        customStatus: { rule: 'review-deletes', approvals: 0, required: 1 },
      },
    );
    assert.equal(Date.parse(String(body.expiresAt)) - Date.parse(String(body.createdTime)), 600_000);
    const again = await status(s, id, agent);
    assert.equal(again.status, 202);
    assert.deepEqual(await again.json(), body);
  });

  it('lets only the requester or an auditor read an approval', async () => {
    const { id } = await holdRequest(s, 'items/11', agent);
    assert.equal((await status(s, id, agent)).status, 202);
    assert.equal((await status(s, id, await s.token('auditor-1', ['auditors']))).status, 202);
    for (const token of [await s.token('agent-8', ['agents']), rita]) {
      const res = await status(s, id, token);
      assert.equal(res.status, 403);
      assert.equal((await problemOf(res)).type, 'urn:portcullis:problem:not-your-approval');
    }
    assert.equal((await fetch(`${s.stack.url}/api/approvals/${id}`)).status, 401);
    assert.equal((await status(s, 'api.ffffffffffffffffffffffffffffffff', agent)).status, 404);
    assert.equal((await status(s, '..%2Fsessions', agent)).status, 404);
  });

  it('Prefer: wait on the held request answers with the outcome when a reviewer decides in time', async () => {
    s.upstream.route('/items/12', (_req, res) => json(res, 200, { deleted: 12 }));
    const pending = fetch(`${s.stack.url}/api/proxy/api/items/12`, { method: 'DELETE', headers: { authorization: `Bearer ${agent}`, prefer: 'wait=20' } });
    const [card] = await waitFor('the card', () => s.teams.received.find((r) => r.body.includes('/items/12')) && [JSON.parse(s.teams.received.find((r) => r.body.includes('/items/12'))!.body.toString())]);
    const id = /api\/review\/([^?"]+)/.exec(JSON.stringify(card))![1]!;
    assert.equal((await decision(s, id, rita, { decision: 'approve' })).status, 200);
    const res = await pending;
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('preference-applied'), 'wait=20');
    assert.deepEqual(await res.json(), { deleted: 12 });
  });

  it('Prefer: wait on the status call returns as soon as the approval closes', async () => {
    const { id } = await holdRequest(s, 'items/13', agent);
    const started = Date.now();
    const waiting = status(s, id, agent, { prefer: 'wait=20' });
    await new Promise((r) => setTimeout(r, 300));
    await decision(s, id, rita, { decision: 'deny', reason: 'wrong item' });
    const res = await waiting;
    assert.equal(res.status, 403);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(res.headers.get('preference-applied'), 'wait=20');
    assert.equal((await problemOf(res)).reason, 'wrong item');
  });

  it('Prefer: wait ends with 202 when nothing happens, and is capped at 60 seconds', async () => {
    const { id } = await holdRequest(s, 'items/14', agent);
    const started = Date.now();
    const res = await status(s, id, agent, { prefer: 'respond-async, wait=1' });
    assert.equal(res.status, 202);
    assert.ok(Date.now() - started >= 900);
    assert.equal(res.headers.get('preference-applied'), 'wait=1');
    await decision(s, id, rita, { decision: 'deny' });
    const capped = await status(s, id, agent, { prefer: 'wait=3600' });
    assert.equal(capped.status, 403);
    assert.equal(capped.headers.get('preference-applied'), 'wait=60');
  });

  it('answers 403 problem+json with the reviewer\'s reason once denied', async () => {
    const { id } = await holdRequest(s, 'items/15', agent);
    await decision(s, id, rita, { decision: 'deny', reason: 'use the archive flag instead' });
    const res = await status(s, id, agent);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const problem = await problemOf(res);
    assert.equal(problem.type, 'urn:portcullis:problem:approval-denied');
    assert.equal(problem.reason, 'use the archive flag instead');
    assert.match(String(problem.detail), /use the archive flag instead/);
    assert.equal(problem.approval, id);
  });

  it('answers 410 once expired, and the orchestrator records approval.expired', async () => {
    const held = await holdRequest(s, 'quick/2', agent);
    const res = await status(s, held.id, agent, { prefer: 'wait=10' });
    assert.equal(res.status, 410);
    assert.equal((await problemOf(res)).type, 'urn:portcullis:problem:approval-expired');
    const events = await waitFor('approval.expired', async () => {
      const events = await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);
      return events.some((e) => e.type === 'approval.expired') && events;
    });
    assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'approval.expired']);
    assert.equal(upstreamCalls(s, '/quick/2').length, 0);
    assert.equal(cardsFor(s, held.id).length, 1);
  });

  it('answers 502 when the approved request fails at the target, and records why', async () => {
    s.upstream.route('/items/16', (req) => {
      req.socket.destroy();
    });
    const held = await holdRequest(s, 'items/16', agent);
    await decision(s, held.id, rita, { decision: 'approve' });
    const res = await status(s, held.id, agent, { prefer: 'wait=20' });
    assert.equal(res.status, 502);
    const problem = await problemOf(res);
    assert.equal(problem.type, 'urn:portcullis:problem:approval-failed');
    assert.equal(problem.error, 'upstream-unreachable');
    const events = await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);
    const errors = events.filter((e) => e.type === 'error');
    assert.ok(errors.some((e) => e.approval?.status === 'failed' && e.error?.type === 'upstream-unreachable'), JSON.stringify(errors));
  });

  // Last: it closes the app's Service Bus client for the rest of this file.
  it('answers 503 and fails the approval, recorded, when the queue cannot be reached', async () => {
    await runtime().clients.serviceBus.close();
    const res = await fetch(`${s.stack.url}/api/proxy/api/items/17`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': 'queue-outage' },
    });
    assert.equal(res.status, 503);
    assert.equal((await problemOf(res)).type, 'urn:portcullis:problem:review-unavailable');
    assert.equal(upstreamCalls(s, '/items/17').length, 0);
    const events = await eventsOf(s, 'queue-outage', res.headers.get('x-request-id')!);
    assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'error']);
    assert.equal(events.at(-1)!.error!.type, 'approval-unavailable');
  });
});
