// An upstream that echoes the credential the gateway sent it ("invalid credential …"), in a JSON
// body, a text body, streams split across writes, a response header and a redirect: the agent
// never sees it, nor does the session log, for each http-style kind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent, SessionRecord } from '../../shared/sessions/index.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { json, startTestUpstream, type TestUpstream } from '../support/upstream.js';

const CREDENTIAL = '{ env: ECHO_KEY, header: X-Api-Key, format: "{value}" }';
const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  echo:
    kind: http
    upstream: \${TEST_UPSTREAM}
    credential: ${CREDENTIAL}
  llm:
    kind: openai
    upstream: \${TEST_UPSTREAM}/v1
    credential: ${CREDENTIAL}
  azure:
    kind: arm
    upstream: \${TEST_UPSTREAM}
    credential: ${CREDENTIAL}
rules:
  - { name: agents, match: { groups: agents }, action: allow }
`;
const MARKER = '[MASKED:connection-credential]';
// Random hex: no rule detects it, so only the literal can mask it.
const key = randomBytes(20).toString('hex');

let stack: TestStack;
let upstream: TestUpstream;
let agent: string;
let auditor: string;

/** The key the gateway sent, as the upstream received it. */
const received = (req: IncomingMessage) => String(req.headers['x-api-key']);

/** Writes `parts` one by one, so the gateway reads them as separate chunks. */
async function writeApart(res: ServerResponse, contentType: string, parts: string[], status = 200) {
  res.writeHead(status, { 'content-type': contentType });
  for (const part of parts) {
    res.write(part);
    await sleep(15);
  }
  res.end();
}

/** `value` cut in three, to be written apart. */
const pieces = (value: string) => [value.slice(0, 7), value.slice(7, 23), value.slice(23)];

before(async () => {
  upstream = await startTestUpstream();
  upstream.route('/json', (req, res) => json(res, 401, { error: { message: `invalid credential ${received(req)}`, [received(req)]: 'rejected' } }));
  upstream.route('/text', (req, res) => writeApart(res, 'text/plain', ['invalid credential ', ...pieces(received(req)), '\n'], 401));
  upstream.route('/sse', (req, res) => {
    const [a, b, c] = pieces(received(req));
    return writeApart(res, 'text/event-stream', [`data: {"error":"invalid credential ${a}`, b, `${c}"}\n\n`, `data: raw ${a}`, `${b}${c}\n\n`]);
  });
  upstream.route('/header', (req, res) => json(res, 200, { ok: true }, { 'x-upstream-debug': `received key=${received(req)}` }));
  upstream.route('/type', (req, res) => {
    res.writeHead(200, { 'content-type': `application/x-${received(req)}` });
    res.end(Buffer.from([0, 1, 2]));
  });
  upstream.route('/encoding', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': `x-${received(req)}` });
    res.end('hello');
  });
  upstream.route('/redirect', (req, res) => {
    res.writeHead(302, { location: `/next?key=${received(req)}` });
    res.end();
  });
  upstream.route('/v1/chat/completions', (req, res) => {
    const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    return writeApart(res, 'text/event-stream', [...['Your key is ', ...pieces(received(req)), '.'].map(chunk), 'data: [DONE]\n\n']);
  });
  upstream.route('/v1/models', (req, res) => json(res, 401, { error: { message: `Incorrect API key provided: ${received(req)}` } }));
  upstream.route('/subscriptions/*', (req, res) => json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: `token ${received(req)} is invalid` } }));
  stack = await startTestStack({ policy: POLICY, env: { TEST_UPSTREAM: upstream.url, ECHO_KEY: key } });
  agent = await stack.token('agent-1', ['agents']);
  auditor = await stack.token('auditor-1', ['auditors']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

/** Calls `path` in its own session; returns what the agent got and what the session log holds. */
async function echo(path: string, init: RequestInit = {}) {
  const session = `echo-${randomBytes(6).toString('hex')}`;
  const res = await fetch(`${stack.url}/api/proxy/${path}`, {
    redirect: 'manual',
    ...init,
    headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': session, ...(init.headers as Record<string, string>) },
  });
  const body = await res.text();
  assert.equal(upstream.received.at(-1)!.headers['x-api-key'], key, 'the upstream got the credential');
  const log = await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } });
  assert.equal(log.status, 200);
  const record = (await log.json()) as SessionRecord;
  const response = record.events.find((e) => e.type === 'response') as Extract<SessionEvent, { type: 'response' }>;
  return { res, body, headers: [...res.headers].map(([n, v]) => `${n}: ${v}`).join('\n'), record, response };
}

function assertNeverSeen(seen: Awaited<ReturnType<typeof echo>>) {
  assert.ok(!seen.body.includes(key), `the agent got the key in the body: ${seen.body}`);
  assert.ok(!seen.headers.includes(key), 'the agent got the key in a header');
  assert.ok(!JSON.stringify(seen.record).includes(key), 'the session log holds the key');
  assert.ok(seen.response.findings?.some((f) => f.rule === 'connection-credential'), 'the echo is reported');
  assert.ok(!JSON.stringify(stack.log.lines).includes(key), 'the gateway log holds the key');
}

describe('an upstream echoing the gateway\'s credential', () => {
  it('has it masked in a JSON body, in values and keys', async () => {
    const seen = await echo('echo/json');
    assert.equal(seen.res.status, 401);
    assert.deepEqual(JSON.parse(seen.body), { error: { message: `invalid credential ${MARKER}`, [MARKER]: 'rejected' } });
    assertNeverSeen(seen);
  });

  it('has it masked in a text body written in pieces', async () => {
    const seen = await echo('echo/text');
    assert.equal(seen.body, `invalid credential ${MARKER}\n`);
    assertNeverSeen(seen);
  });

  it('has it masked in an event stream split across writes', async () => {
    const seen = await echo('echo/sse');
    assert.equal(seen.body, `data: {"error":"invalid credential ${MARKER}"}\n\ndata: raw ${MARKER}\n\n`);
    assertNeverSeen(seen);
  });

  it('has it masked in a response header and a redirect', async () => {
    const header = await echo('echo/header');
    assert.equal(header.res.headers.get('x-upstream-debug'), `received key=${MARKER}`);
    assertNeverSeen(header);
    const redirect = await echo('echo/redirect');
    assert.equal(redirect.res.status, 302);
    assert.match(redirect.res.headers.get('location')!, /\/api\/proxy\/echo\/next\?key=\[MASKED:connection-credential\]$/);
    assertNeverSeen(redirect);
  });

  it('has it masked in the refusal of an answer that cannot be masked, and in its error event', async () => {
    for (const path of ['echo/type', 'echo/encoding']) {
      const session = `echo-${randomBytes(6).toString('hex')}`;
      const res = await fetch(`${stack.url}/api/proxy/${path}`, { headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': session } });
      const body = await res.text();
      assert.equal(res.status, 502, body);
      assert.ok(body.includes(MARKER), body);
      assert.ok(!body.includes(key), `the agent got the key: ${body}`);
      const record = (await (await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } })).json()) as SessionRecord;
      assert.ok(record.events.some((e) => e.type === 'error'), path);
      assert.ok(!JSON.stringify(record).includes(key), `the session log holds the key: ${path}`);
    }
  });

  it('has it masked from an openai connection, streamed delta by delta or in an error', async () => {
    const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const streamed = await echo('llm/chat/completions', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const text = streamed.body
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    assert.equal(text, `Your key is ${MARKER}.`);
    assertNeverSeen(streamed);
    const error = await echo('llm/models');
    assert.equal(error.res.status, 401);
    assertNeverSeen(error);
  });

  it('has it masked from an arm connection', async () => {
    const seen = await echo('azure/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg?api-version=2021-04-01');
    assert.equal(seen.res.status, 401);
    assert.equal((JSON.parse(seen.body) as { error: { message: string } }).error.message, `token ${MARKER} is invalid`);
    assertNeverSeen(seen);
  });
});
