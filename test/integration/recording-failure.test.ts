// When the session log cannot be written, the gateway refuses (503) and forwards nothing —
// unless the policy says `recording: best-effort`, in which case it answers without waiting on the
// log, and logs and counts the failure. Storage that does not answer at all (connected, nothing
// comes back) is refused the same way once its time is up, rather than holding the request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_ISSUER_POLICY, startTestStack, storedSession, type TestStack } from '../support/stack.js';
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

const call = (session?: string) =>
  fetch(`${stack.url}/api/proxy/api/items`, {
    headers: { authorization: `Bearer ${token}`, ...(session ? { 'x-portcullis-session': session } : {}) },
    // A bound, so that an answer that waits on storage for good fails the test instead of hanging it.
    signal: AbortSignal.timeout(60_000),
  });

const refusedForRecording = async (res: Response) => {
  assert.equal(res.status, 503);
  assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:recording-unavailable');
};

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({ policy: policy('strict'), env: { TEST_UPSTREAM: upstream.url } });
  token = await stack.token('agent-1', ['agents']);
  assert.equal((await call()).status, 200, 'recording works before the outage');
  assert.equal((await call('known-before-the-outage')).status, 200);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

describe('storage that does not answer', () => {
  it('is refused with 503 under strict recording, the session known or new, and nothing forwarded', async () => {
    const before = upstream.received.length;
    stack.azurite.pause();
    try {
      // A known session's request waits on its append, a new one's on its owner's claim: both are bounded.
      const [known, opened] = await Promise.all([call('known-before-the-outage'), call('opened-while-storage-hangs')]);
      await refusedForRecording(known);
      await refusedForRecording(opened);
    } finally {
      stack.azurite.resume();
    }
    assert.equal(upstream.received.length, before, 'nothing reached the upstream');
  });

  it('records, once storage answers, that a request refused for it was not carried out', async () => {
    // The append that timed out is still queued and lands later: the log must not show the request as allowed and then silent.
    const deadline = Date.now() + 30_000;
    let types: string[] = [];
    while (Date.now() < deadline) {
      types = (await storedSession(stack, 'known-before-the-outage')).types;
      if (types.at(-1) === 'error') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(types, ['session.start', 'request', 'decision', 'response', 'request', 'decision', 'error']);
  });
});

describe('recording failures', () => {
  before(async () => {
    await stack.azurite.stop();
  });

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
