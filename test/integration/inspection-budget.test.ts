// A body whose inspection exceeds the request's budget is refused (422 problem+json), never
// forwarded unjudged and never left to stall the gateway.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

const POLICY = `${DEV_ISSUER_POLICY}
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}
    groups: [agents]
rules:
  - name: no-printenv
    match: { connections: api, body: "(?i)printenv" }
    action: deny
  - name: agents-may-call
    match: { groups: agents }
    action: allow
`;

let stack: TestStack;
let upstream: TestUpstream;
let token: string;

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({
    policy: POLICY,
    env: { TEST_UPSTREAM: upstream.url, PORTCULLIS_MAX_BODY_BYTES: String(16 << 20), PORTCULLIS_INSPECTION_BUDGET_MS: '1' },
  });
  token = await stack.token('agent-7', ['agents']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

describe('inspection budget', () => {
  it('refuses a body whose inspection exceeds the budget with 422 problem+json, forwarding nothing', async () => {
    const before = upstream.received.length;
    const res = await fetch(`${stack.url}/api/proxy/api/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'pwd=password=secret: "token='.repeat(200_000),
    });
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await res.json()) as { type: string; status: number };
    assert.match(problem.type, /inspection-budget-exceeded/);
    assert.equal(problem.status, 422);
    assert.equal(upstream.received.length, before);
  });

});
