// The gateway's upstream request (node:http answered as a web Response): what a kind relies on.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Refusal } from '../platform/problem.js';
import { createMasker } from '../masking/index.js';
import { bodyKind, maskResponse } from './response.js';
import { upstreamRequest } from './upstream-request.js';

let server: Server;
let base: string;
let handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
    req.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const call = (path: string, init: Partial<Parameters<typeof upstreamRequest>[1]> = {}) =>
  upstreamRequest(new URL(path, base), { method: 'GET', headers: new Headers(), timeoutMs: 10_000, ...init });

describe('upstream request', () => {
  it('sends method, headers and a body with its length; never the caller\'s host or hop-by-hop headers', async () => {
    let seen: { method?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    handler = (req, body, res) => {
      seen = { method: req.method, headers: req.headers, body: body.toString() };
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    const headers = new Headers({ 'x-one': 'a', host: 'evil.example', connection: 'close, x-one', 'content-type': 'application/json' });
    const response = await call('/things?q=1', { method: 'POST', headers, body: new TextEncoder().encode('{"a":1}') });
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { ok: true });
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body, '{"a":1}');
    assert.equal(seen.headers!['content-length'], '7');
    assert.equal(seen.headers!['x-one'], 'a');
    assert.equal(seen.headers!.host, new URL(base).host);
  });

  it('streams a body given as a stream, and fails with the stream\'s own error when it fails', async () => {
    handler = (_req, body, res) => res.writeHead(200).end(String(body.length));
    const chunks = ['ab', 'cd', 'ef'];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    assert.equal(await (await call('/', { method: 'PUT', body })).text(), '6');

    class TooLarge extends Error {}
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1]));
        controller.error(new TooLarge('too large'));
      },
    });
    await assert.rejects(call('/', { method: 'PUT', body: failing }), (error) => error instanceof TooLarge);
  });

  it('does not follow a redirect: the kind judges the Location', async () => {
    handler = (_req, _body, res) => res.writeHead(302, { location: 'http://elsewhere.example/' }).end();
    const response = await call('/moved');
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), 'http://elsewhere.example/');
  });

  it('keeps repeated headers (set-cookie) and gives no body for 204 and HEAD', async () => {
    handler = (req, _body, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.writeHead(req.url === '/empty' ? 204 : 200, { 'content-length': '5' }).end(req.method === 'HEAD' || req.url === '/empty' ? undefined : 'hello');
    };
    const empty = await call('/empty');
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
    assert.deepEqual(empty.headers.getSetCookie(), ['a=1', 'b=2']);
    const head = await call('/', { method: 'HEAD' });
    assert.equal(head.body, null);
    assert.equal(head.headers.get('content-length'), '5');
  });

  it('leaves a content coding as it came, so the answer is decoded once and masked', async () => {
    const secret = `ghp_${'A1b2C3d4E5'.repeat(3)}123456`;
    handler = (_req, _body, res) => {
      const bytes = gzipSync(JSON.stringify({ note: `token ${secret}` }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bytes.length) }).end(bytes);
    };
    const response = await call('/compressed');
    assert.equal(response.headers.get('content-encoding'), 'gzip');
    const masked = await maskResponse(response, { masker: createMasker({}), connection: 'api', captureBytes: 65_536, passBinary: false });
    const text = new TextDecoder().decode(masked.body as Uint8Array);
    assert.ok(!text.includes(secret), 'the secret is masked');
    assert.match(text, /"note":"token \[MASKED:github-token\]"/);
    assert.equal(masked.headers.get('content-encoding'), null, 'the agent gets it decoded');
  });

  it('fails with a TimeoutError when the upstream does not start answering in time', async () => {
    handler = () => undefined; // never answers
    await assert.rejects(call('/slow', { timeoutMs: 50 }), (error) => error instanceof DOMException && error.name === 'TimeoutError');
  });

  it('gives a JSON answer that falls silent after its headers a deadline: the agent gets a 504, not nothing', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
    };
    const started = Date.now();
    const response = await call('/stall', { timeoutMs: 300 });
    const masking = maskResponse(response, { masker: createMasker({}), connection: 'api', captureBytes: 65_536, passBinary: false });
    await assert.rejects(masking, (error) => error instanceof Refusal && error.type === 'upstream-timeout' && error.status === 504);
    assert.ok(Date.now() - started < 3_000);
    // Gzipped, through the decoder: the failure reaches the reader too.
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.write(gzipSync('{"a":1}').subarray(0, 5));
    };
    const gzipped = await call('/stall-gzip', { timeoutMs: 300 });
    await assert.rejects(maskResponse(gzipped, { masker: createMasker({}), connection: 'api', captureBytes: 65_536, passBinary: false }), (error) => error instanceof Refusal && error.type === 'upstream-timeout');
  });

  it('counts only time spent waiting on the upstream: a JSON answer that keeps coming is read whole', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let n = 0;
      const timer = setInterval(() => (++n < 5 ? res.write(' ') : (clearInterval(timer), res.end('{"a":1}'))), 100);
    };
    const response = await call('/slow', { timeoutMs: 300 });
    assert.deepEqual(await response.json(), { a: 1 });
  });

  it('gives a stream (SSE) no idle deadline: a model may think for long between events', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      setTimeout(() => res.end('data: 2\n\n'), 500);
    };
    const response = await call('/events', { timeoutMs: 200 });
    assert.equal(await response.text(), 'data: 1\n\ndata: 2\n\n');
  });

  it('takes an answer in a charset other than UTF-8 as binary, however the charset is written', () => {
    assert.deepEqual(['application/json; charset = utf-16', 'text/plain;CHARSET="UTF-7"', 'application/json; charset=UTF-8', 'text/plain'].map(bodyKind), ['binary', 'binary', 'json', 'text']);
  });

  it('fails with the system error when nothing listens', async () => {
    await assert.rejects(upstreamRequest(new URL('http://127.0.0.1:1/'), { method: 'GET', headers: new Headers(), timeoutMs: 10_000 }), (error) => (error as { code?: string }).code === 'ECONNREFUSED');
  });
});
