// A session belongs to the principal that opened it: another principal naming it is refused before
// anything reaches the target or its log, ids derived from tokens never collide across principals,
// and when two principals open one session at once exactly one of them owns it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent } from '../../shared/sessions/index.js';
import { AGENTS_API_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

let stack: TestStack;
let upstream: TestUpstream;
let alice: string;
let bob: string;
let auditor: string;

const call = (token: string, path: string, session?: string) =>
  fetch(`${stack.url}/api/proxy/api/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(session ? { 'x-portcullis-session': session } : {}) },
    body: JSON.stringify({ path }),
  });

const events = async (sessionId: string) => {
  const res = await fetch(`${stack.url}/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${auditor}` } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { verified: boolean; events: SessionEvent[] };
  assert.equal(body.verified, true);
  return body.events;
};

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({ policy: AGENTS_API_POLICY, env: { TEST_UPSTREAM: upstream.url } });
  alice = await stack.token('alice', ['agents']);
  bob = await stack.token('bob', ['agents']);
  auditor = await stack.token('auditor-1', ['auditors']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

describe('session ownership', () => {
  it("refuses another principal naming a session with a 409 that does not say whose it is, and records nothing in it", async () => {
    assert.equal((await call(alice, 'mine', 'own-alice')).status, 200);
    const before = upstream.received.length;
    const res = await call(bob, 'intruder', 'own-alice');
    assert.equal(res.status, 409);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = await res.text();
    assert.equal((JSON.parse(problem) as { type: string }).type, 'urn:portcullis:problem:session-owned-by-another-principal');
    assert.doesNotMatch(problem, /alice/);
    assert.equal(upstream.received.length, before, 'nothing reached the target');
    const recorded = await events('own-alice');
    assert.ok(recorded.every((e) => e.principal?.subject === 'alice'), 'only alice in her session');
    assert.ok(!recorded.some((e) => JSON.stringify(e).includes('intruder')));
    // The owner carries on.
    assert.equal((await call(alice, 'again', 'own-alice')).status, 200);
  });

  it('gives two principals whose tokens name the same CI run different sessions', async () => {
    const run = { repository: 'acme/app', run_id: '4242', run_attempt: '1' };
    const [a, b] = await Promise.all([
      stack.token('repo:acme/app:ref:refs/heads/main', ['agents'], { claims: run }),
      stack.token('repo:evil/fork:ref:refs/heads/main', ['agents'], { claims: run }),
    ]);
    const [ra, rb] = [await call(a, 'run'), await call(b, 'run')];
    assert.equal(ra.status, 200);
    assert.equal(rb.status, 200);
    const [sa, sb] = [ra.headers.get('x-portcullis-session')!, rb.headers.get('x-portcullis-session')!];
    assert.match(sa, /^gh-acme\.app-4242-1-/);
    assert.notEqual(sa, sb);
    assert.ok((await events(sb)).every((e) => e.principal?.subject === 'repo:evil/fork:ref:refs/heads/main'));
  });

  it('lets exactly one of several principals opening one session at once own it', async () => {
    const tokens = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((s) => stack.token(s, ['agents'])));
    const responses = await Promise.all(tokens.flatMap((t) => [call(t, 'race', 'own-race'), call(t, 'race', 'own-race')]));
    const statuses = responses.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 409), statuses.join());
    const winners = new Set((await events('own-race')).flatMap((e) => (e.principal ? [e.principal.subject] : [])));
    assert.equal(winners.size, 1);
    assert.equal(statuses.filter((s) => s === 200).length, 2, 'both requests of the owner, and no one else');
  });
});
