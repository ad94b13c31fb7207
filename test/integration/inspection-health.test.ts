// One request never holds the event loop: while the gateway masks a large adversarial body
// (keywords repeated, the shape that once took seconds per 100 KB), /api/health keeps
// answering. Ordering, not wall-clock: probes sent after the body was fully sent must be
// answered while that request is still in progress.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
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
    env: { TEST_UPSTREAM: upstream.url, PORTCULLIS_MAX_BODY_BYTES: String(32 << 20), PORTCULLIS_INSPECTION_BUDGET_MS: '600000' },
  });
  token = await stack.token('agent-7', ['agents']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

/** POSTs `body`; `sent` resolves once all of it is written, `done` with the answer. */
function post(path: string, body: string) {
  const url = new URL(stack.url);
  let sent!: () => void;
  const whenSent = new Promise<void>((resolve) => (sent = resolve));
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.on('finish', sent);
    req.end(body);
  });
  return { sent: whenSent, done };
}

describe('inspection does not stall the gateway', () => {
  it('answers /api/health while an adversarial body is being masked', async () => {
    // 15 MB of keywords with separators and no values (so nothing is found, nothing recorded).
    const body = '"token": "pwd= '.repeat(1_000_000);
    const slow = post('/api/proxy/api/upload', body);
    let finished = false;
    const result = slow.done.finally(() => (finished = true));
    await slow.sent;
    let answeredWhilePending = 0;
    while (!finished && answeredWhilePending < 5) {
      const res = await fetch(`${stack.url}/api/health`);
      await res.arrayBuffer();
      if (!finished) answeredWhilePending++;
    }
    const answer = await result;
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answeredWhilePending, 5, 'health must keep answering while the body is inspected');
  });
});
