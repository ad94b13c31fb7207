// When the session log cannot be written, the gateway refuses (503) and forwards nothing —
// unless the policy says `recording: best-effort`, in which case it answers without waiting on the
// log, and logs and counts the failure.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

const policy = (recording: string) => `${DEV_ISSUER_POLICY}
recording: ${recording}
connections:
  api: { kind: http, upstream: "\${TEST_UPSTREAM}" }
rules:
  - { name: agents-read, match: { groups: agents }, action: allow }
`;

let stack: TestStack;
let upstream: TestUpstream;
let token: string;

const call = () => fetch(`${stack.url}/api/proxy/api/items`, { headers: { authorization: `Bearer ${token}` } });

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({ policy: policy('strict'), env: { TEST_UPSTREAM: upstream.url } });
  token = await stack.token('agent-1', ['agents']);
  assert.equal((await call()).status, 200, 'recording works before the outage');
  await stack.azurite.stop();
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

describe('recording failures', () => {
  it('refuses the request with 503 and forwards nothing under strict recording', async () => {
    const before = upstream.received.length;
    const res = await call();
    assert.equal(res.status, 503);
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(problem.type, 'urn:portcullis:problem:recording-unavailable');
    assert.equal(upstream.received.length, before, 'nothing reached the upstream');
    assert.ok(stack.log.lines.some((l) => l.message === 'session events could not be recorded' && l.mode === 'strict'));
  });

  it('lets the request through, logging the failure, under best-effort recording', async () => {
    await stack.writePolicy(policy('best-effort'));
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await call()).status;
    }
    assert.equal(status, 200);
    // The answer does not wait on the log, so the failure is logged after it.
    const logged = () => stack.log.lines.some((l) => l.message === 'session events could not be recorded' && l.mode === 'best-effort');
    while (Date.now() < deadline && !logged()) await new Promise((r) => setTimeout(r, 100));
    assert.ok(logged());
  });
});
