// Elevation to the admin tier: only an approval of a review rule with `review: { elevate: admin }`
// runs a request with the connection's admin credential; other reviews run with the operation's
// tier, and a connection without an admin credential refuses the elevated request.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';
import { json, startTestUpstream, type TestUpstream } from '../../support/upstream.js';

const tiers = (prefix: string, admin: boolean) => `
    credentials:
      read: { env: ${prefix}_READ, header: X-Api-Key, format: "{value}" }
      write: { env: ${prefix}_WRITE, header: X-Api-Key, format: "{value}" }${admin ? `\n      admin: { env: ${prefix}_ADMIN, header: X-Api-Key, format: "{value}" }` : ''}`;

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}${tiers('API', true)}
  lean:
    kind: http
    upstream: \${TEST_UPSTREAM}${tiers('LEAN', false)}
rules:
  - name: elevated-deletes
    match: { method: DELETE, path: /vaults/** }
    action: review
    review: { groups: [reviewers], elevate: admin }
  - name: reviewed-deletes
    match: { method: DELETE, path: /items/** }
    action: review
    review: { groups: [reviewers] }
`;

const keys = Object.fromEntries(['API_READ', 'API_WRITE', 'API_ADMIN', 'LEAN_READ', 'LEAN_WRITE'].map((k) => [k, randomBytes(16).toString('hex')]));
let stack: TestStack;
let upstream: TestUpstream;
let agent: string;
let reviewer: string;

before(async () => {
  upstream = await startTestUpstream();
  upstream.route('/*', (_req, res) => json(res, 200, { ok: true }));
  try {
    stack = await startTestStack({ policy: POLICY, env: { TEST_UPSTREAM: upstream.url, ...keys } });
  } catch (error) {
    await upstream.close();
    throw error;
  }
  agent = await stack.token('agent-7', ['agents']);
  reviewer = await stack.token('rita', ['reviewers']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

/** Holds a DELETE, approves it, waits for the outcome; returns it and the key the upstream got. */
async function approved(connection: string, path: string) {
  const held = await fetch(`${stack.url}/api/proxy/${connection}/${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${agent}` } });
  assert.equal(held.status, 202, await held.clone().text());
  const { id } = (await held.json()) as { id: string };
  const decided = await fetch(`${stack.url}/api/approvals/${id}/decision`, {
    method: 'POST',
    headers: { authorization: `Bearer ${reviewer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ decision: 'approve', reason: 'ticket 7' }),
  });
  assert.equal(decided.status, 200);
  const outcome = await fetch(`${stack.url}/api/approvals/${id}`, { headers: { authorization: `Bearer ${agent}`, prefer: 'wait=20' } });
  const body = await outcome.text();
  const call = upstream.received.filter((r) => r.url === `/${path}`).at(-1);
  return { status: outcome.status, body, key: call?.headers['x-api-key'] };
}

describe('elevation to admin by approval', () => {
  it('runs an approved request of an elevating rule with the admin credential', async () => {
    const outcome = await approved('api', 'vaults/1');
    assert.equal(outcome.status, 200, outcome.body);
    assert.equal(outcome.key, keys.API_ADMIN);
  });

  it('runs an approved request of another review rule with the operation\'s tier', async () => {
    const outcome = await approved('api', 'items/1');
    assert.equal(outcome.status, 200, outcome.body);
    assert.equal(outcome.key, keys.API_WRITE);
  });

  it('refuses an elevated request on a connection without an admin credential, sending nothing', async () => {
    const outcome = await approved('lean', 'vaults/2');
    assert.equal(outcome.key, undefined, 'nothing reached the upstream');
    assert.match(outcome.body, /tier-unavailable/);
  });
});
