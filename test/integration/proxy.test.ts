// The HTTP proxy path through the local host: allow, deny, the 401s, path attacks, 413, 502, 504,
// redirects and response masking, against a recording upstream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT, generateKeyPair } from 'jose';
import { secretSamples } from '../support/masking.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { json, startTestUpstream, type TestUpstream } from '../support/upstream.js';
import { freePort } from '../../cli/dev/ports.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors:
  groups: [auditors]
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}
    credential: { env: TEST_UPSTREAM_TOKEN, header: Authorization, format: "Bearer {value}" }
    groups: [agents]
  prefixed:
    kind: http
    upstream: \${TEST_UPSTREAM}/v1
    credential: { env: TEST_UPSTREAM_TOKEN, header: X-Api-Key, format: "{value}" }
  dead:
    kind: http
    upstream: \${DEAD_UPSTREAM}
  files:
    kind: http
    upstream: \${TEST_UPSTREAM}
    passBinary: true
    streams: { unknown: pass }
rules:
  - name: agents-may-call
    match: { groups: agents }
    action: allow
  - name: block-admin
    match: { path: /admin/** }
    action: deny
    message: Admin endpoints are off limits to agents
  - name: review-deletes
    match: { method: DELETE }
    action: review
    review: { groups: [reviewers] }
  - name: no-printenv
    match: { connections: prefixed, body: "(?i)printenv" }
    action: deny
    message: Do not ask for the environment
`;

let stack: TestStack;
let upstream: TestUpstream;
let token: string;
const upstreamToken = randomBytes(16).toString('hex');

/** A request whose path is sent byte for byte (fetch would normalize dot segments). */
function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const call = (path: string, init: RequestInit = {}, bearer = token) =>
  fetch(`${stack.url}/api/proxy/${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, ...(init.headers as Record<string, string>) } });

before(async () => {
  upstream = await startTestUpstream();
  stack = await startTestStack({
    policy: POLICY,
    env: {
      TEST_UPSTREAM: upstream.url,
      TEST_UPSTREAM_TOKEN: upstreamToken,
      DEAD_UPSTREAM: `http://127.0.0.1:${await freePort()}`,
      PORTCULLIS_MAX_BODY_BYTES: '4096',
      PORTCULLIS_UPSTREAM_TIMEOUT_MS: '800',
    },
  });
  token = await stack.token('agent-7', ['agents']);
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
});

describe('proxy: allow', () => {
  it('forwards to the upstream with the gateway credential, never the agent token', async () => {
    const res = await call('api/items/42?expand=true', { headers: { cookie: 'session=agent', 'x-trace': 't1' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { method: 'GET', path: '/items/42', query: 'expand=true', bytes: 0 });
    const seen = upstream.received.at(-1)!;
    assert.equal(seen.headers.authorization, `Bearer ${upstreamToken}`);
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers['x-trace'], 't1');
    assert.match(String(seen.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get('x-request-id'), seen.headers['x-request-id']);
    assert.ok(res.headers.get('x-portcullis-session'));
  });

  it('keeps the upstream base path and sends the credential in the configured header', async () => {
    const res = await call('prefixed/models', { method: 'POST', body: '{"prompt":"hello"}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    const seen = upstream.received.at(-1)!;
    assert.equal(seen.url, '/v1/models');
    assert.equal(seen.headers['x-api-key'], upstreamToken);
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.body.toString(), '{"prompt":"hello"}');
  });

  it('streams a request body larger than the buffering threshold', async () => {
    const body = randomBytes(3000);
    const res = await call('api/upload', { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 200);
    assert.equal(upstream.received.at(-1)!.body.length, 3000);
  });
});

describe('proxy: deny', () => {
  it('answers 403 problem+json with the rule and its message, and forwards nothing', async () => {
    const before = upstream.received.length;
    const res = await call('api/admin/users');
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(problem.type, 'urn:portcullis:problem:denied');
    assert.equal(problem.rule, 'block-admin');
    assert.equal(problem.detail, 'Admin endpoints are off limits to agents');
    assert.ok(problem.requestId);
    assert.equal(res.headers.get('x-request-id'), problem.requestId);
    assert.ok(res.headers.get('x-portcullis-session'), 'refusals name the session too');
    assert.equal(upstream.received.length, before);
  });

  it('denies on a body rule', async () => {
    const res = await call('prefixed/chat', { method: 'POST', body: 'please run PRINTENV for me' });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { rule: string }).rule, 'no-printenv');
  });

  it('denies principals outside the connection groups', async () => {
    const outsider = await stack.token('intruder', ['visitors']);
    const res = await call('api/items', {}, outsider);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { rule: string }).rule, 'connection-groups');
  });

  it('denies by default when no rule matches', async () => {
    const outsider = await stack.token('someone', []);
    const res = await call('prefixed/x', {}, outsider);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { rule: string }).rule, 'default');
  });

  it('answers 404 for an unknown connection', async () => {
    const res = await call('nope/x');
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:unknown-connection');
  });
});

describe('proxy: identity', () => {
  const expect401 = async (res: Response, description?: RegExp) => {
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="portcullis"/);
    if (description) assert.match(challenge, description);
  };

  it('refuses a request without a token', async () => {
    await expect401(await fetch(`${stack.url}/api/proxy/api/items`));
  });

  it('refuses a malformed token', async () => {
    await expect401(await call('api/items', {}, 'not.a.jwt'), /error="invalid_token"/);
  });

  it('refuses an expired token', async () => {
    await expect401(await call('api/items', {}, await stack.token('agent-7', ['agents'], { ttlSeconds: -120 })), /expired/);
  });

  it('refuses a token for another audience', async () => {
    await expect401(await call('api/items', {}, await stack.token('agent-7', ['agents'], { audience: 'someone-else' })), /audience/);
  });

  it('refuses a token from an unknown issuer', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ groups: ['agents'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'x' })
      .setIssuer('https://evil.example')
      .setAudience('portcullis')
      .setSubject('agent-7')
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect401(await call('api/items', {}, foreign), /issuer/);
  });

  it('refuses a tampered token', async () => {
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims.groups = ['agents', 'admins'];
    const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    await expect401(await call('api/items', {}, tampered), /signature/);
  });
});

describe('proxy: path attacks', () => {
  const attacks: Array<[string, string]> = [
    ['dot-dot segments', '/api/proxy/prefixed/../admin'],
    ['encoded dot-dot', '/api/proxy/prefixed/%2e%2e/admin'],
    ['encoded slash', '/api/proxy/api/items%2F..%2Fadmin'],
    ['encoded backslash', '/api/proxy/api/items%5C..%5Cadmin'],
    ['raw backslash', '/api/proxy/api/items\\..\\admin'],
    ['absolute URL', '/api/proxy/api/http://evil.example/x'],
    ['scheme-relative URL', '/api/proxy/api//evil.example/x'],
  ];
  for (const [name, path] of attacks) {
    it(`refuses ${name} without calling the upstream`, async () => {
      const before = upstream.received.length;
      const res = await raw(path);
      // 400 (refused), 404 (no such connection once normalized) or 403 (judged as the path it
      // really names): never a call upstream.
      assert.ok([400, 403, 404].includes(res.status), `${res.status} ${res.body}`);
      assert.equal(res.headers['content-type'], 'application/problem+json');
      assert.equal(upstream.received.length, before);
    });
  }

  it('normalizes equivalent spellings so rules see one path', async () => {
    const res = await raw('/api/proxy/api/%61dmin/users');
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(res.body).rule, 'block-admin');
  });
});

describe('proxy: limits and upstream failures', () => {
  it('answers 413 for a declared body over the limit', async () => {
    const before = upstream.received.length;
    const res = await call('api/upload', { method: 'POST', body: 'x'.repeat(5000) });
    assert.equal(res.status, 413);
    assert.equal(upstream.received.length, before);
  });

  it('answers 413 for a streamed body that grows over the limit', async () => {
    const chunks = [randomBytes(3000), randomBytes(3000)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await call('api/upload', { method: 'POST', body, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 413);
  });

  it('answers 502 when the upstream is unreachable', async () => {
    const res = await call('dead/anything', {}, await stack.token('agent-7', ['agents']));
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:upstream-unreachable');
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    upstream.route('/slow', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 2_000));
      json(res, 200, { late: true });
    });
    const res = await call('api/slow');
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:upstream-timeout');
  });

  it('does not follow a redirect off the upstream origin', async () => {
    upstream.route('/away', (_req, res) => {
      res.writeHead(302, { location: 'https://evil.example/steal' });
      res.end();
    });
    const res = await call('api/away', { redirect: 'manual' });
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:upstream-redirect');
  });

  it('rewrites a same-origin redirect to come back through the gateway', async () => {
    upstream.route('/moved', (_req, res) => {
      res.writeHead(301, { location: '/items/9?x=1' });
      res.end();
    });
    const res = await call('api/moved', { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), `${stack.url}/api/proxy/api/items/9?x=1`);
  });
});

describe('proxy: response masking', () => {
  it('masks secrets and sensitive keys in a JSON answer, keeping it valid JSON', async () => {
    const awsKey = secretSamples()['aws-access-key-id']!();
    const password = randomBytes(12).toString('base64url');
    upstream.route('/config', (_req, res) => json(res, 200, { aws: { key: awsKey }, db: { password }, note: 'fine' }));
    const res = await call('api/config');
    const text = await res.text();
    assert.ok(!text.includes(awsKey), 'the AWS key is masked');
    assert.ok(!text.includes(password), 'the password is masked');
    const body = JSON.parse(text);
    assert.equal(body.note, 'fine');
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
  });

  it('masks a secret split across streamed SSE events while streaming', async () => {
    const secret = secretSamples()['github-token']!();
    upstream.route('/events', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const part of [`data: key ${secret.slice(0, 10)}`, `${secret.slice(10)} end\n\n`, 'data: done\n\n']) {
        res.write(part);
        await new Promise((r) => setTimeout(r, 30));
      }
      res.end();
    });
    const res = await call('api/events');
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const text = await res.text();
    assert.ok(!text.includes(secret.slice(4)), text);
    assert.match(text, /data: done/);
  });

  it('refuses a binary answer it cannot mask, unless the connection passes binary', async () => {
    const bytes = randomBytes(64);
    upstream.route('/blob', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(bytes);
    });
    const refused = await call('api/blob');
    assert.equal(refused.status, 502);
    assert.equal(((await refused.json()) as { type: string }).type, 'urn:portcullis:problem:unmaskable-response');
    const passed = await call('files/blob', {}, await stack.token('agent-7', ['agents']));
    assert.equal(passed.status, 200);
    assert.deepEqual(Buffer.from(await passed.arrayBuffer()), bytes);
  });
});

describe('proxy: what is judged is what is sent', () => {
  it('refuses compressed request bodies, which rules could not read', async () => {
    const { gzipSync } = await import('node:zlib');
    const res = await call('prefixed/chat', { method: 'POST', body: gzipSync('please printenv'), headers: { 'content-encoding': 'gzip' } });
    assert.equal(res.status, 415);
    assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:unsupported-body');
  });

  it('refuses path parameters and empty segments, and denies any spelling of a denied path', async () => {
    for (const path of ['/api/proxy/api/items/..;/admin/users', '/api/proxy/api/admin;x/users', '/api/proxy/api/items//admin']) {
      const res = await raw(path);
      assert.equal(res.status, 400, path);
    }
    const shouted = await raw('/api/proxy/api/Admin/users');
    assert.equal(shouted.status, 403);
    assert.equal(JSON.parse(shouted.body).rule, 'block-admin');
  });

  it('does not forward method or URL override headers, nor the agent\'s own keys', async () => {
    const res = await call('api/items/5', {
      headers: { 'x-http-method-override': 'DELETE', 'x-original-url': '/admin', 'api-key': 'agent-own-key', 'x-ms-authorization-auxiliary': 'Bearer aux' },
    });
    assert.equal(res.status, 200);
    const seen = upstream.received.at(-1)!.headers;
    for (const name of ['x-http-method-override', 'x-original-url', 'api-key', 'x-ms-authorization-auxiliary']) assert.equal(seen[name], undefined, name);
  });

  it('keeps a secret in the path out of the session log', async () => {
    const auditor = await stack.token('auditor', ['auditors']);
    const secret = secretSamples()['github-token']!();
    const res = await call(`api/hooks/${secret}`, { headers: { 'x-portcullis-session': 'secret-in-path' } });
    assert.equal(res.status, 200);
    const log = await fetch(`${stack.url}/api/sessions/secret-in-path`, { headers: { authorization: `Bearer ${auditor}` } });
    const text = await log.text();
    assert.equal(log.status, 200, text);
    assert.ok(text.includes('[MASKED:github-token]'));
    assert.ok(!text.includes(secret), 'the token is not in the log');
  });
});
