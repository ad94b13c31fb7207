// Credential tiers through the live gateway: a read-only request reaches the upstream with the
// read token, anything else with the write token, a rule's `tier: write` raises a read, a tier the
// connection lacks is refused before anything is sent, and the session log says which tier acted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent, SessionRecord } from '../../shared/sessions/index.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { json, startTestUpstream, type TestUpstream } from '../support/upstream.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}
    credentials:
      read: { env: READ_KEY, header: X-Api-Key, format: "{value}" }
      write: { env: WRITE_KEY, header: X-Api-Key, format: "{value}" }
  llm:
    kind: openai
    upstream: \${TEST_UPSTREAM}/v1
    credentials:
      read: { env: READ_KEY }
      write: { env: WRITE_KEY }
rules:
  - { name: reports-as-writer, match: { connections: api, path: /reports/** }, action: allow, tier: write }
  - { name: agents, match: { groups: agents }, action: allow }
`;

const readKey = randomBytes(20).toString('hex');
const writeKey = randomBytes(20).toString('hex');

let stack: TestStack;
let upstream: TestUpstream;
let agent: string;
let auditor: string;

before(async () => {
  upstream = await startTestUpstream();
  upstream.route('/*', (_req, res) => json(res, 200, { ok: true }));
  upstream.route('/v1/chat/completions', (_req, res) => json(res, 200, { id: 'c1', object: 'chat.completion', choices: [] }));
  upstream.route('/v1/files', (_req, res) => json(res, 200, { id: 'f1' }));
  stack = await startTestStack({ policy: POLICY, env: { TEST_UPSTREAM: upstream.url, READ_KEY: readKey, WRITE_KEY: writeKey } });
  agent = await stack.token('agent-1', ['agents']);
  auditor = await stack.token('auditor-1', ['auditors']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

/** Calls `path` in a session of its own; returns the status, the key the upstream got and the events. */
async function call(path: string, init: RequestInit = {}) {
  const session = `tiers-${randomBytes(6).toString('hex')}`;
  const before = upstream.received.length;
  const res = await fetch(`${stack.url}/api/proxy/${path}`, {
    ...init,
    headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': session, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
  await res.text();
  const got = upstream.received.slice(before).at(-1);
  const log = await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } });
  const events = ((await log.json()) as SessionRecord).events;
  const response = events.find((e) => e.type === 'response') as Extract<SessionEvent, { type: 'response' }> | undefined;
  const key = got?.headers['x-api-key'] ?? String(got?.headers.authorization ?? '').replace(/^Bearer /, '');
  return { status: res.status, key: got ? key : undefined, tier: response?.details?.tier, events };
}

describe('credential tiers through the gateway', () => {
  it('sends GET with the read key and records the tier', async () => {
    const seen = await call('api/items');
    assert.equal(seen.status, 200);
    assert.equal(seen.key, readKey);
    assert.equal(seen.tier, 'read');
  });

  it('sends POST and DELETE with the write key', async () => {
    for (const method of ['POST', 'DELETE']) {
      const seen = await call('api/items/1', { method, body: method === 'POST' ? '{}' : undefined });
      assert.equal(seen.status, 200);
      assert.equal(seen.key, writeKey, method);
      assert.equal(seen.tier, 'write');
    }
  });

  it('raises a read to write when the allowing rule says so', async () => {
    const seen = await call('api/reports/daily');
    assert.equal(seen.key, writeKey);
    assert.equal(seen.tier, 'write');
  });

  it('sends a chat completion with the read token, an upload with the write token', async () => {
    const chat = await call('llm/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(chat.status, 200);
    assert.equal(chat.key, readKey);
    assert.equal(chat.tier, 'read');
    const stored = await call('llm/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'm', store: true, messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(stored.key, writeKey);
    const upload = await call('llm/files', { method: 'POST', body: '{}' });
    assert.equal(upload.key, writeKey);
  });

  it('never records either key', async () => {
    const seen = await call('api/items');
    assert.ok(!JSON.stringify(seen.events).includes(readKey));
    assert.ok(!JSON.stringify(stack.log.lines).includes(readKey) && !JSON.stringify(stack.log.lines).includes(writeKey));
  });
});
