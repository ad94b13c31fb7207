// Through the real local host with real clients: a stream the agent abandons still gets its
// outcome in the log, Expect: 100-continue works, JSON nested absurdly deep is refused (400 from
// an agent, 502 from an upstream) instead of crashing, and dot segments in the raw path are
// refused before any URL parser can resolve them.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent } from '../../shared/sessions/index.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors:
  groups: [auditors]
connections:
  api: { kind: http, upstream: "\${TEST_UPSTREAM}" }
  llm: { kind: openai, upstream: "\${TEST_UPSTREAM}/v1" }
rules:
  - { name: agents, match: { groups: agents }, action: allow }
`;

let stack: TestStack;
let upstream: TestUpstream;
let agent: string;
let auditor: string;

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({ policy: POLICY, env: { TEST_UPSTREAM: upstream.url } });
  agent = await stack.token('agent-1', ['agents']);
  auditor = await stack.token('auditor-1', ['auditors']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

/** A raw request: the path goes on the request line exactly as given. */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: string; session?: string } = {}) {
  const { hostname, port } = new URL(stack.url);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string; continued: boolean }>((resolve, reject) => {
    let continued = false;
    const req = request({
      hostname,
      port,
      path,
      method: options.method ?? 'GET',
      headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': options.session ?? 'hardening', ...options.headers },
    });
    req.on('continue', () => {
      continued = true;
      req.end(options.body);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), continued }));
    });
    req.on('error', reject);
    if (options.headers?.expect === undefined) req.end(options.body);
    else req.flushHeaders();
  });
}

const sessionEvents = async (sessionId: string) => {
  const res = await fetch(`${stack.url}/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${auditor}` } });
  if (res.status !== 200) return [];
  return ((await res.json()) as { events: SessionEvent[] }).events;
};

describe('an answer the agent stops reading', () => {
  it('is recorded as an aborted response with the bytes delivered', async () => {
    const line = `${'x'.repeat(1000)}\n`;
    upstream.route('/stream', async (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 64; i++) res.write(line);
      // Then nothing more until the gateway hangs up.
      await new Promise((resolve) => req.socket.once('close', resolve));
    });
    const { hostname, port } = new URL(stack.url);
    await new Promise<void>((resolve, reject) => {
      const req = request({ hostname, port, path: '/api/proxy/api/stream', headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': 'aborted-stream' } });
      req.on('response', (res) => {
        let got = 0;
        res.on('data', (chunk: Buffer) => {
          got += chunk.length;
          if (got >= 8000) {
            res.destroy();
            req.destroy();
            resolve();
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', () => undefined);
      req.on('close', () => resolve());
      req.setTimeout(30_000, () => reject(new Error('no answer')));
      req.end();
    });
    let response: SessionEvent | undefined;
    for (let i = 0; i < 100 && !response; i++) {
      response = (await sessionEvents('aborted-stream')).find((e) => e.type === 'response');
      if (!response) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(response, 'a response event was recorded');
    assert.equal(response.details?.aborted, true);
    assert.equal(response.details?.abortedBy, 'agent');
    assert.ok(typeof response.details?.deliveredBytes === 'number' && response.details.deliveredBytes >= 8000, String(response.details?.deliveredBytes));
    assert.equal(response.payload?.status, 200);
    const all = await fetch(`${stack.url}/api/sessions/aborted-stream`, { headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(((await all.json()) as { verified: boolean }).verified, true);
  });
});

describe('an answer the upstream breaks off', () => {
  it('is recorded as an aborted response, and the agent sees the stream cut', async () => {
    upstream.route('/broken', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(`${'y'.repeat(4000)}\n`);
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const res = await fetch(`${stack.url}/api/proxy/api/broken`, { headers: { authorization: `Bearer ${agent}`, 'x-portcullis-session': 'broken-stream' } });
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    let response: SessionEvent | undefined;
    for (let i = 0; i < 100 && !response; i++) {
      response = (await sessionEvents('broken-stream')).find((e) => e.type === 'response');
      if (!response) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(response, 'a response event was recorded');
    assert.equal(response.details?.aborted, true);
    assert.equal(response.details?.abortedBy, 'upstream');
  });
});

describe('Expect: 100-continue', () => {
  it('is answered with 100 Continue, and the body is forwarded without the Expect header', async () => {
    const before = upstream.received.length;
    const body = JSON.stringify({ hello: 'world' });
    const res = await raw('/api/proxy/api/upload', {
      method: 'POST',
      headers: { expect: '100-continue', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
    });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.continued, true);
    const got = upstream.received.slice(before).find((r) => r.url === '/upload');
    assert.equal(got?.body.toString(), body);
    assert.equal(got?.headers.expect, undefined);
  });
});

describe('JSON nested 10,000 deep', () => {
  const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  for (const [name, path, text] of [
    ['an http request body', '/api/proxy/api/deep', deep],
    ['a prompt', '/api/proxy/llm/chat/completions', `{"model":"m","messages":[{"role":"user","content":${deep}}]}`],
    ['a prompt without a JSON content type', '/api/proxy/llm/chat/completions', `{"model":"m","messages":${deep}}`],
  ] as const) {
    it(`refuses ${name} with 400 problem+json`, async () => {
      const before = upstream.received.length;
      const json = !name.includes('without');
      const res = await raw(path, { method: 'POST', headers: json ? { 'content-type': 'application/json' } : { 'content-type': 'text/plain' }, body: text });
      assert.equal(res.status, 400, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(upstream.received.length, before);
    });
  }

  it('still accepts JSON nested as deep as the limit, and records it', async () => {
    const body = `{"messages":[{"role":"user","content":"hi"}],"model":"m","x":${'['.repeat(500)}${']'.repeat(500)}}`;
    const res = await raw('/api/proxy/api/deep-ok', { method: 'POST', headers: { 'content-type': 'application/json' }, body, session: 'deep-ok' });
    assert.equal(res.status, 200, res.body);
    assert.ok((await sessionEvents('deep-ok')).some((e) => e.type === 'response'));
  });

  it('refuses an upstream answer too deep to mask with a 502 problem, not a crash', async () => {
    upstream.route('/deep-answer', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"a":${'{"b":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
    });
    const res = await raw('/api/proxy/api/deep-answer');
    assert.equal(res.status, 502, res.body);
    assert.equal((JSON.parse(res.body) as { type: string }).type, 'urn:portcullis:problem:unmaskable-response');
  });
});

describe('dot segments in the raw path', () => {
  for (const path of ['a/../admin', 'a/%2e%2e/admin', 'a/.%2E/admin', 'a/%2E./admin', './admin', 'a/%2e/admin', 'a\\..\\admin', 'a/%5c../admin', 'a/..']) {
    it(`refuses /api/proxy/api/${path} with 400 before it reaches the target`, async () => {
      const before = upstream.received.length;
      const res = await raw(`/api/proxy/api/${path}`);
      assert.equal(res.status, 400, res.body);
      assert.equal((JSON.parse(res.body) as { type: string }).type, 'urn:portcullis:problem:bad-path');
      assert.equal(upstream.received.length, before);
    });
  }

  it('refuses dot segments that would climb out of the proxy route itself', async () => {
    const res = await raw('/api/proxy/api/../../sessions');
    assert.equal(res.status, 400);
  });

  // In Azure the handler gets the URL with dot segments already resolved; the front end keeps the original.
  for (const header of ['x-waws-unencoded-url', 'x-original-url']) {
    it(`refuses a resolved URL whose original in ${header} had dot segments`, async () => {
      const before = upstream.received.length;
      const res = await raw('/api/proxy/api/admin', { headers: { [header]: '/api/proxy/api/a/%2e%2e/admin' } });
      assert.equal(res.status, 400, res.body);
      assert.equal((JSON.parse(res.body) as { type: string }).type, 'urn:portcullis:problem:bad-path');
      assert.equal(upstream.received.length, before);
    });
  }

  it('still serves dots inside a segment', async () => {
    const res = await raw('/api/proxy/api/files/v1..2/.well-known/a.b');
    assert.equal(res.status, 200, res.body);
  });
});
