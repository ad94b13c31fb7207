// Inspection of request bodies never stalls the gateway: it runs in slices that let other requests
// through, and a body whose inspection would exceed the request's budget is refused (422
// problem+json), never forwarded unjudged.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
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
    groups: [agents]
rules:
  - name: no-printenv
    match: { connections: api, body: "(?i)printenv" }
    action: deny
  - name: agents-may-call
    match: { groups: agents }
    action: allow
`;

/** A stack whose inspection budget is `budgetMs`, started before and stopped after the suite. */
function stackWithBudget(budgetMs: number, maxBodyBytes: number) {
  const at = {} as { stack: TestStack; upstream: TestUpstream; token: string };
  before(async () => {
    at.upstream = await startTestUpstream();
    at.stack = await startTestStack({
      policy: POLICY,
      env: { TEST_UPSTREAM: at.upstream.url, PORTCULLIS_MAX_BODY_BYTES: String(maxBodyBytes), PORTCULLIS_INSPECTION_BUDGET_MS: String(budgetMs) },
    });
    at.token = await at.stack.token('agent-7', ['agents']);
  });
  after(async () => {
    await at.stack?.stop();
    await at.upstream?.close();
  });
  return at;
}

/** POSTs `body`; `sent` resolves once all of it is written, `done` with the answer. */
function post(at: { stack: TestStack; token: string }, path: string, body: string) {
  const url = new URL(at.stack.url);
  let sent!: () => void;
  const whenSent = new Promise<void>((resolve) => (sent = resolve));
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: 'POST', headers: { authorization: `Bearer ${at.token}`, 'content-type': 'text/plain' } },
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
  const at = stackWithBudget(600_000, 32 << 20);

  it('answers /api/health while an adversarial body is being masked', async () => {
    // 10 MB of keywords with separators and no values (so nothing is found, nothing recorded).
    const body = '"token": "pwd= '.repeat(700_000);
    const slow = post(at, '/api/proxy/api/upload', body);
    let finished = false;
    const result = slow.done.finally(() => (finished = true));
    await slow.sent;
    let answeredWhilePending = 0;
    while (!finished && answeredWhilePending < 5) {
      const res = await fetch(`${at.stack.url}/api/health`);
      await res.arrayBuffer();
      if (!finished) answeredWhilePending++;
    }
    const answer = await result;
    assert.equal(answer.status, 200, answer.body);
    // Masked in one piece, the body held the event loop and no probe was answered until it was done.
    assert.ok(answeredWhilePending >= 2, `health must keep answering while the body is inspected (answered ${answeredWhilePending})`);
  });
});

describe('inspection budget', () => {
  const at = stackWithBudget(1, 16 << 20);

  it('refuses a body whose inspection exceeds the budget with 422 problem+json, forwarding nothing', async () => {
    const before = at.upstream.received.length;
    const res = await fetch(`${at.stack.url}/api/proxy/api/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${at.token}`, 'content-type': 'text/plain' },
      body: 'pwd=password=secret: "token='.repeat(200_000),
    });
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await res.json()) as { type: string; status: number };
    assert.match(problem.type, /inspection-budget-exceeded/);
    assert.equal(problem.status, 422);
    assert.equal(at.upstream.received.length, before);
  });
});

describe('inspection budget for the answer', () => {
  const at = stackWithBudget(200, 16 << 20);

  it('refuses an answer whose masking exceeds the budget with 502 problem+json, passing none of it on', async () => {
    const email = (i: number) => `user${i}@corp.example`;
    at.upstream.route('/huge-answer', (_req, res) => {
      // About 7.5 MB, under the size masked whole, full of findings: seconds of masking.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: Array.from({ length: 95_000 }, (_, i) => ({ id: i, owner: email(i), note: `password=hunter${i}-${i}` })) }));
    });
    const res = await fetch(`${at.stack.url}/api/proxy/api/huge-answer`, { headers: { authorization: `Bearer ${at.token}` } });
    const body = await res.text();
    assert.equal(res.status, 502, body.slice(0, 300));
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.match((JSON.parse(body) as { type: string }).type, /answer-inspection-budget-exceeded/);
    assert.ok(!body.includes(email(7)));
  });
});

describe('an answer full of findings', () => {
  const at = stackWithBudget(600_000, 16 << 20);

  it('is masked, answered and recorded, listing the first findings and counting the rest', async () => {
    const count = 150_000;
    at.upstream.route('/many-findings', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ owners: Array.from({ length: count }, (_, i) => `user${i}@corp.example`) }));
    });
    const res = await fetch(`${at.stack.url}/api/proxy/api/many-findings`, { headers: { authorization: `Bearer ${at.token}`, 'x-portcullis-session': 'many-findings' } });
    const body = await res.text();
    assert.equal(res.status, 200, body.slice(0, 300));
    assert.ok(!body.includes('user7@corp.example'));
    const auditor = await at.stack.token('auditor-1', ['auditors']);
    const read = await fetch(`${at.stack.url}/api/sessions/many-findings`, { headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(read.status, 200);
    const { events } = (await read.json()) as { events: SessionEvent[] };
    const response = events.find((e) => e.type === 'response')!;
    assert.equal(response.findings!.length + (response.findingsOmitted ?? 0), count);
    assert.ok(response.findings!.length <= 1000);
  });
});
