// The proxy path judges a request as the upstream will read it: bodies and queries decoded, method
// overrides refused, paths with a trailing slash, header names spelled with underscores; and a
// JSON answer that stalls is answered (504) and recorded. Through the local host, against a
// recording upstream.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AGENTS_API_POLICY, startTestStack, verifiedSessionEvents, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

const POLICY = `${AGENTS_API_POLICY}  - { name: no-printenv, match: { body: "(?i)printenv" }, action: deny }
  - { name: no-debug, match: { query: "(^|&)debug=" }, action: deny }
  - { name: no-admin-users, match: { path: /admin/users }, action: deny }
  - { name: no-repo-delete, match: { method: DELETE, path: "/repos/*/*" }, action: deny }
`;

let stack: TestStack;
let upstream: TestUpstream;
let token: string;

/** Sent byte for byte: the query and the header names as written. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; type?: string; rule?: string }> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: `/api/proxy/api${path}`, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        const parsed = JSON.parse(text) as { type?: string; rule?: string };
        resolve({ status: res.statusCode!, type: parsed.type?.replace('urn:portcullis:problem:', ''), rule: parsed.rule });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({ policy: POLICY, env: { TEST_UPSTREAM: upstream.url, PORTCULLIS_UPSTREAM_TIMEOUT_MS: '800' } });
  token = await stack.token('agent-1', ['agents']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

describe('proxy: requests judged as the upstream reads them', () => {
  it('body rules see JSON escapes and form percent-encoding decoded', async () => {
    const before = upstream.received.length;
    assert.deepEqual(await send('POST', '/run', { 'content-type': 'application/json' }, '{"cmd":"\\u0070rintenv"}'), { status: 403, type: 'denied', rule: 'no-printenv' });
    assert.deepEqual(await send('POST', '/run', { 'content-type': 'application/x-www-form-urlencoded' }, 'cmd=print%65nv'), { status: 403, type: 'denied', rule: 'no-printenv' });
    assert.equal(upstream.received.length, before);
  });

  it('refuses a charset other than UTF-8 however it is written, and a body that is not the JSON it says', async () => {
    for (const type of ['application/json; charset = utf-7', 'application/json;Charset="UTF-16LE"']) {
      assert.equal((await send('POST', '/run', { 'content-type': type }, '{"cmd":"+AHA-rintenv"}')).type, 'unsupported-body', type);
    }
    assert.deepEqual(await send('POST', '/run', { 'content-type': 'application/json' }, '{"cmd":'), { status: 400, type: 'invalid-body', rule: undefined });
  });

  it('refuses a _method override in the query or a form, however it is encoded', async () => {
    const before = upstream.received.length;
    for (const query of ['_method=DELETE', '_%6Dethod=DELETE', '%5Fmethod=DELETE']) {
      assert.deepEqual(await send('POST', `/repos/acme/prod?${query}`, { 'content-length': '0' }), { status: 400, type: 'method-override', rule: undefined }, query);
    }
    assert.equal((await send('POST', '/repos/acme/prod', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1&_method=DELETE')).type, 'method-override');
    assert.equal(upstream.received.length, before);
  });

  it('query rules see keys and values percent-decoded', async () => {
    assert.equal((await send('GET', '/items?%64ebug=1')).rule, 'no-debug');
    assert.equal((await send('GET', '/items?debu%67=1')).rule, 'no-debug');
    assert.equal((await send('GET', '/items?x=%26debug%3D1')).status, 200);
  });

  it('deny path rules also catch a trailing slash', async () => {
    assert.equal((await send('GET', '/admin/users/')).rule, 'no-admin-users');
    assert.equal((await send('DELETE', '/repos/acme/prod/')).rule, 'no-repo-delete');
  });

  it('drops method overrides and client addresses spelled with underscores', async () => {
    const res = await send('POST', '/items', { 'content-length': '0', X_HTTP_Method_Override: 'DELETE', X_Forwarded_For: '10.0.0.1', 'True-Client-IP': '10.0.0.1', 'x-trace': 't' });
    assert.equal(res.status, 200);
    const seen = Object.keys(upstream.received.at(-1)!.headers);
    assert.ok(seen.includes('x-trace'));
    for (const name of ['x_http_method_override', 'x_forwarded_for', 'true-client-ip']) assert.ok(!seen.includes(name), name);
  });
});

describe('proxy: a JSON answer that stalls after its headers', () => {
  it('is answered 504 within the upstream timeout, and recorded as an error', async () => {
    upstream.route('/stall', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
    });
    const started = Date.now();
    const res = await fetch(`${stack.url}/api/proxy/api/stall`, { headers: { authorization: `Bearer ${token}`, 'x-portcullis-session': 'stalled-1' }, signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:upstream-timeout');
    assert.ok(Date.now() - started < 5_000);
    const events = await verifiedSessionEvents(stack, 'stalled-1');
    const error = events.find((e) => e.type === 'error') as { error?: { type: string } } | undefined;
    assert.equal(error?.error?.type, 'upstream-timeout');
  });
});
