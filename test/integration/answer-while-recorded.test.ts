// Under strict recording a whole answer reaches the agent while its response event is written,
// and that event waits for the session's next request, which takes it along in one Append Block:
// as long as the session's pace says (twice its last one), within PORTCULLIS_RECORD_LINGER_MS,
// long here so that little depends on timing. What stays: the
// request and decision are durable before anything is forwarded, a streamed answer's event is
// durable before the stream ends, auditors read every answer an agent has, and a response event
// that cannot be written is logged and refuses what comes next.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AGENTS_API_POLICY, startTestStack, storedSession, verifiedSessionEvents, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

let stack: TestStack;
let upstream: TestUpstream;
let agent: string;

const call = (path: string, session: string) =>
  fetch(`${stack.url}/api/proxy/api/${path}`, { headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': session } });

/** Sets the session's pace: an answer, then its next request this long after (ms); the next answer then waits twice that. */
async function paced(session: string, ms = 450): Promise<void> {
  const res = await call('items/0', session);
  assert.equal(res.status, 200);
  await res.text();
  await new Promise((resolve) => setTimeout(resolve, ms));
}

before(async () => {
  upstream = await startTestUpstream();
  upstream.route('/stream', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part, ');
    setTimeout(() => res.end('last part'), 20);
  });
  stack = await startTestStack({ policy: AGENTS_API_POLICY, env: { TEST_UPSTREAM: upstream.url, PORTCULLIS_RECORD_LINGER_MS: '1000' } });
  agent = await stack.token('agent-1', ['agents']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

describe('an answer delivered while it is recorded (strict recording, the default)', () => {
  it('writes a session\'s first answer at once: it has no pace yet', async () => {
    const res = await call('items/9', 'early-0');
    assert.equal(res.status, 200);
    await res.text();
    const types = ['session.start', 'request', 'decision', 'response'];
    for (let waited = 0; (await storedSession(stack, 'early-0')).types.length < types.length && waited < 400; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual((await storedSession(stack, 'early-0')).types, types, 'written well within the longest wait');
  });

  it('gives the agent the whole answer before its response event is written, and the next request takes that event along', async () => {
    await paced('early-1');
    const first = await call('items/1', 'early-1');
    assert.equal(first.status, 200);
    const body = await first.text();
    assert.equal(JSON.parse(body).path, '/items/1');
    assert.equal(Number(first.headers.get('content-length')), Buffer.byteLength(body));
    const before = await storedSession(stack, 'early-1');
    assert.deepEqual(before.types.slice(4), ['request', 'decision'], 'the request and decision are durable; the response waits');

    const second = await call('items/2', 'early-1');
    assert.equal(second.status, 200);
    await second.text();
    const afterSecond = await storedSession(stack, 'early-1');
    assert.deepEqual(afterSecond.types.slice(4), ['request', 'decision', 'response', 'request', 'decision']);
    assert.equal(afterSecond.blocks, before.blocks + 1, 'the first answer\'s response and the next request share one Append Block');
    assert.equal(upstream.received.filter((r) => r.url === '/items/1' || r.url === '/items/2').length, 2);
  });

  it('shows an auditor every answer the agent already has', async () => {
    const res = await call('items/3', 'early-2');
    assert.equal(res.status, 200);
    await res.text();
    const events = await verifiedSessionEvents(stack, 'early-2');
    assert.deepEqual(events.map((e) => e.type), ['session.start', 'request', 'decision', 'response']);
  });

  it('ends a streamed answer only once its response event is durable: the agent cannot know it is whole before', async () => {
    const res = await call('stream', 'early-3');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'first part, last part');
    assert.deepEqual((await storedSession(stack, 'early-3')).types, ['session.start', 'request', 'decision', 'response']);
  });

  it('logs a response event that cannot be written, and refuses the session\'s next request', async () => {
    await paced('early-4');
    const res = await call('items/4', 'early-4');
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(await res.text()).path, '/items/4');
    await stack.azurite.stop();
    const failed = () => stack.log.lines.some((line) => line.message === 'session events could not be recorded' && line.requestId === res.headers.get('x-request-id'));
    for (let waited = 0; !failed() && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(failed(), 'the failed append is logged with the request id');
    const next = await call('items/5', 'early-4');
    assert.equal(next.status, 503);
    assert.equal(upstream.received.some((r) => r.url === '/items/5'), false, 'nothing is forwarded unrecorded');
  });
});
