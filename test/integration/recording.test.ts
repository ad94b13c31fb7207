// Session recording through the gateway: every request's events in order (also when one
// session's requests run at once), the auditor API with its filters, paging and 403.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent } from '../../shared/sessions/index.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors:
  groups: [auditors]
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}
  other:
    kind: http
    upstream: \${TEST_UPSTREAM}
rules:
  - { name: agents-read, match: { groups: agents, method: GET }, action: allow }
  - { name: no-admin, match: { path: /admin/** }, action: deny, message: not for agents }
`;

let stack: TestStack;
let upstream: TestUpstream;
let agent: string;
let auditor: string;

const proxy = (path: string, session: string, token = agent) =>
  fetch(`${stack.url}/api/proxy/${path}`, { headers: { authorization: `Bearer ${token}`, 'x-portcullis-session': session } });

const api = async (path: string, token = auditor) => {
  const res = await fetch(`${stack.url}/api/${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({ policy: POLICY, env: { TEST_UPSTREAM: upstream.url } });
  agent = await stack.token('agent-1', ['agents']);
  auditor = await stack.token('auditor-1', ['auditors']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

describe('recording', () => {
  it('records request, decision and response of a proxied request, and the chain verifies', async () => {
    const res = await proxy('api/items/1', 'rec-single');
    assert.equal(res.status, 200);
    const requestId = res.headers.get('x-request-id');
    const { status, body } = await api('sessions/rec-single');
    assert.equal(status, 200);
    assert.equal(body.verified, true);
    const events = body.events as SessionEvent[];
    assert.deepEqual(
      events.map((e) => e.type),
      ['session.start', 'request', 'decision', 'response'],
    );
    assert.ok(events.slice(1).every((e) => e.requestId === requestId));
    const response = events[3] as Extract<SessionEvent, { type: 'response' }>;
    assert.equal(response.payload?.status, 200);
    assert.ok(response.timings && response.timings.totalMs! >= 0);
    assert.deepEqual(events.map((e) => e.seq), [0, 1, 2, 3]);
  });

  it('keeps one session\'s events in order when its requests run at once', async () => {
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => proxy(`api/items/${i}`, 'rec-concurrent')));
    assert.ok(responses.every((r) => r.status === 200));
    const ids = new Set(responses.map((r) => r.headers.get('x-request-id')));
    const { body } = await api('sessions/rec-concurrent');
    assert.equal(body.verified, true);
    const events = (body.events as SessionEvent[]).filter((e) => e.type !== 'session.start');
    assert.equal(events.length, 120);
    assert.deepEqual(
      (body.events as SessionEvent[]).map((e) => e.seq),
      Array.from({ length: 121 }, (_, i) => i),
    );
    for (const id of ids) {
      const mine = events.filter((e) => e.requestId === id).map((e) => e.type);
      assert.deepEqual(mine, ['request', 'decision', 'response']);
    }
  });

  it('records a denied request without a response event', async () => {
    const res = await proxy('api/admin/x', 'rec-denied');
    assert.equal(res.status, 403);
    const { body } = await api('sessions/rec-denied');
    const types = (body.events as SessionEvent[]).map((e) => e.type);
    assert.deepEqual(types, ['session.start', 'request', 'decision']);
    const decision = (body.events as SessionEvent[])[2] as Extract<SessionEvent, { type: 'decision' }>;
    assert.deepEqual([decision.decision.action, decision.decision.rule], ['deny', 'no-admin']);
  });
});

describe('auditor API', () => {
  before(async () => {
    const other = await stack.token('agent-2', ['agents']);
    await proxy('api/items/1', 'audit-a');
    await proxy('other/items/1', 'audit-b');
    await proxy('api/admin/1', 'audit-c', other);
    for (let i = 0; i < 5; i++) await proxy('api/items/1', `audit-page-${i}`, other);
  });

  it('never records a password in a JSON, form or multipart body, in the request event or the decision event', async () => {
    const password = `Summer${randomBytes(4).toString('hex')}`;
    const form = new FormData();
    form.set('username', 'app');
    form.set('password', password);
    const bodies: Array<[string, string | FormData, Record<string, string>]> = [
      ['json', JSON.stringify({ username: 'app', password }), { 'content-type': 'application/json' }],
      ['form', `username=app&password=${password}`, { 'content-type': 'application/x-www-form-urlencoded' }],
      ['multipart', form, {}],
    ];
    for (const [name, body, headers] of bodies) {
      const session = `rec-secret-${name}`;
      const res = await fetch(`${stack.url}/api/proxy/api/login`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': session, ...headers },
        body,
      });
      assert.equal(res.status, 403, name);
      const events = (await api(`sessions/${session}`)).body.events as SessionEvent[];
      const decision = events.find((e) => e.type === 'decision') as Extract<SessionEvent, { type: 'decision' }>;
      assert.match(decision.operation!.text!, /\[MASKED:/, name);
      assert.ok(!JSON.stringify(events).includes(password), `${name}: ${JSON.stringify(events)}`);
    }
  });

  it('refuses callers without a token (401) and non-auditors (403)', async () => {
    const anonymous = await fetch(`${stack.url}/api/sessions`);
    assert.equal(anonymous.status, 401);
    const { status, body } = await api('sessions', agent);
    assert.equal(status, 403);
    assert.equal(body.type, 'urn:portcullis:problem:not-an-auditor');
    assert.equal((await api('sessions/audit-a', agent)).status, 403);
  });

  it('filters by principal, connection and decision', async () => {
    const ids = (body: Record<string, unknown>) => (body.items as Array<{ sessionId: string }>).map((s) => s.sessionId);
    const byPrincipal = ids((await api('sessions?principal=agent-1')).body);
    assert.ok(byPrincipal.includes('audit-a') && byPrincipal.includes('audit-b'));
    assert.ok(!byPrincipal.includes('audit-c'));
    const byConnection = ids((await api('sessions?connection=other')).body);
    assert.deepEqual(byConnection, ['audit-b']);
    const denied = ids((await api('sessions?decision=deny')).body);
    assert.ok(denied.includes('audit-c'));
    assert.ok(!denied.includes('audit-a'));
  });

  it('pages with a continuation token, newest first, without repeats', async () => {
    const seen: string[] = [];
    let continuation: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await api(`sessions?principal=agent-2&limit=2${continuation ? `&continuation=${encodeURIComponent(continuation)}` : ''}`);
      assert.equal(status, 200);
      seen.push(...(body.items as Array<{ sessionId: string }>).map((s) => s.sessionId));
      continuation = body.continuation as string | undefined;
      pages++;
    } while (continuation && pages < 10);
    assert.ok(pages >= 3);
    assert.equal(new Set(seen).size, seen.length);
    for (const id of ['audit-c', 'audit-page-0', 'audit-page-4']) assert.ok(seen.includes(id), id);
    assert.ok(seen.indexOf('audit-page-4') < seen.indexOf('audit-page-0'), 'newest first');
  });

  it('answers bad filters with 400 and unknown sessions with 404', async () => {
    assert.equal((await api('sessions?decision=maybe')).status, 400);
    assert.equal((await api('sessions?from=yesterday')).status, 400);
    assert.equal((await api('sessions/no-such-session')).status, 404);
  });
});
