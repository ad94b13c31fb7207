// Best-effort recording never waits on the log, the session owners' Table included: with storage
// that hangs (Azurite paused: its ports open, nothing answered) every request is answered, and
// what was appended meanwhile is written once storage answers again. A session still holds only
// its owner's events: an owner this instance knows refuses another principal at once, and a
// session whose owner it does not know yet is claimed before the request's events are written
// there, so a session another principal owns gets none of them. Nothing waiting for them, a
// streamed answer's event waits for the session's next request like a whole answer's, to share
// its Append Block (PORTCULLIS_RECORD_LINGER_MS long here, so that little depends on timing).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { OWNERS_TABLE } from '../../shared/sessions/owners.js';
import { AGENTS_API_POLICY, startTestStack, storedSession, verifiedSessionEvents, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

const policy = `${AGENTS_API_POLICY}recording: best-effort
`;

let stack: TestStack;
let upstream: TestUpstream;
const tokens: Record<string, string> = {};

// A bound on each call, so that an answer that waits on the hung storage fails the test instead of hanging it.
const call = (agent: string, session: string) =>
  fetch(`${stack.url}/api/proxy/api/items`, {
    headers: { authorization: `Bearer ${tokens[agent]}`, 'x-portcullis-session': session },
    signal: AbortSignal.timeout(15_000),
  });

/** `read()` once it satisfies `done`, read again every 200 ms for up to 30 s. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) return assert.fail(`not so within 30 s: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

before(async () => {
  upstream = await startTestUpstream();
  upstream.route('/stream', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
    setTimeout(() => res.end('data: last\n\n'), 10);
  });
  stack = await startTestStack({ policy, env: { TEST_UPSTREAM: upstream.url, PORTCULLIS_RECORD_LINGER_MS: '1000' } });
  for (const agent of ['agent-1', 'agent-2']) tokens[agent] = await stack.token(agent, ['agents']);
  assert.equal((await call('agent-1', 'owned-by-agent-1')).status, 200);
  // Written (and so claimed) in the background: this instance knows the session's owner once it is.
  await eventually(() => verifiedSessionEvents(stack, 'owned-by-agent-1'), (events) => events.some((e) => e.type === 'response'));
});

after(async () => {
  stack?.azurite.resume();
  await stack?.stop();
  await upstream?.close();
});

describe('best-effort recording', () => {
  it('answers while storage hangs, and writes what was appended once storage answers again', async () => {
    stack.azurite.pause();
    try {
      // A session this instance knows, a new one (its owner's Table not reachable), and another
      // principal naming a session whose owner this instance knows: refused at once.
      assert.equal((await call('agent-1', 'owned-by-agent-1')).status, 200);
      assert.equal((await call('agent-1', 'opened-while-storage-hangs')).status, 200);
      const refused = await call('agent-2', 'owned-by-agent-1');
      assert.equal(refused.status, 409);
      assert.equal(((await refused.json()) as { type: string }).type, 'urn:portcullis:problem:session-owned-by-another-principal');
    } finally {
      stack.azurite.resume();
    }
    const opened = await eventually(() => verifiedSessionEvents(stack, 'opened-while-storage-hangs'), (events) => events.some((e) => e.type === 'response'));
    assert.deepEqual(
      opened.filter((e) => e.type !== 'session.start').map((e) => [e.type, e.principal?.subject]),
      [['request', 'agent-1'], ['decision', 'agent-1'], ['response', 'agent-1']],
    );
    const owned = await eventually(() => verifiedSessionEvents(stack, 'owned-by-agent-1'), (events) => events.filter((e) => e.type === 'response').length === 2);
    assert.ok(owned.every((e) => e.principal === undefined || e.principal.subject === 'agent-1'), 'only its owner is in it');
  });

  it("lets a streamed answer's event wait for the session's next request, and go in one Append Block with it", async () => {
    const stream = async () => {
      const res = await fetch(`${stack.url}/api/proxy/api/stream`, { headers: { authorization: `Bearer ${tokens['agent-1']}`, 'x-portcullis-session': 'streamed' } });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'data: first\n\ndata: last\n\n');
    };
    const requests = (n: number) => (s: { types: string[] }) => s.types.filter((type) => type === 'request').length === n;
    // The session's pace: an answer, then its next request 200 ms later; that one's answer may wait 400 ms.
    await stream();
    await eventually(() => storedSession(stack, 'streamed'), (s) => s.types.includes('response'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stream();
    const before = await eventually(() => storedSession(stack, 'streamed'), requests(2));
    assert.deepEqual(before.types.slice(-2), ['request', 'decision'], 'the answer is whole; its event waits');
    await stream();
    const after = await eventually(() => storedSession(stack, 'streamed'), requests(3));
    assert.deepEqual(after.types.slice(-3), ['response', 'request', 'decision']);
    assert.equal(after.blocks, before.blocks + 1, "the answer's event and the next request's events share one Append Block");
  });

  it('writes none of a principal\'s events into a session another owns that this instance did not know of', async () => {
    // Claimed through another instance: only the Table knows its owner.
    const owners = TableClient.fromConnectionString(stack.azurite.connectionString, OWNERS_TABLE, { allowInsecureConnection: true });
    const issuer = JSON.parse(Buffer.from(tokens['agent-1']!.split('.')[1]!, 'base64url').toString()).iss as string;
    await owners.createEntity({ partitionKey: 'opened-elsewhere', rowKey: 'owner', issuer, subject: 'agent-x', claimed: new Date().toISOString() });

    // Not waited on: the request goes on while the recorder claims the session, and the claim finds agent-x.
    assert.equal((await call('agent-2', 'opened-elsewhere')).status, 200);
    await eventually(
      async () => stack.log.lines.filter((l) => l.message === 'session events not recorded' && String(l.sessions).includes('opened-elsewhere')),
      (lines) => lines.length > 0,
    );
    // Known from then on: refused at once.
    assert.equal((await call('agent-2', 'opened-elsewhere')).status, 409);
    const auditor = await stack.token('auditor-1', ['auditors']);
    const res = await fetch(`${stack.url}/api/sessions/opened-elsewhere`, { headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(res.status, 404, 'nothing was written into the session');
  });
});
