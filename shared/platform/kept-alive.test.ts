import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { KeptAlive } from './kept-alive.js';

const servers: Array<Server | HttpServer> = [];
after(() => servers.forEach((server) => server.close()));

/** A node:http server on a free port, counting the connections it took. */
async function httpServer(handle: Parameters<typeof createHttpServer>[1]): Promise<{ url: string; connections: () => number; server: HttpServer }> {
  const server = createHttpServer(handle);
  let connections = 0;
  server.on('connection', () => connections++);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, server };
}

/** A TCP server that answers each request's bytes with `answer` (raw), or never when it is undefined. */
async function rawServer(answer: ((request: string, socket: Socket) => void) | undefined, counted?: { connections: number }): Promise<string> {
  const server = createNetServer((socket) => {
    if (counted) counted.connections++;
    let seen = '';
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      // One request a turn: each ends with its body, a few bytes after the head.
      if (seen.includes('\r\n\r\n') && answer) {
        answer(seen, socket);
        seen = '';
      }
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const put = (client: KeptAlive, base: string, body = 'block\n', headers: Record<string, string> = {}) =>
  client.request(new URL('/account/c/b?comp=appendblock', base), 'PUT', { 'x-ms-version': '2024-11-04', ...headers }, Buffer.from(body));

describe('kept-alive HTTP/1.1 exchanges', () => {
  it('sends the request whole and reuses one connection for exchanges one after another', async () => {
    const seen: Array<{ method?: string; url?: string; body: string; length?: string; version?: string }> = [];
    const { url, connections } = await httpServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk)).on('end', () => {
        seen.push({ method: req.method, url: req.url, body, length: req.headers['content-length'], version: req.headers['x-ms-version'] as string });
        res.writeHead(201, { 'x-ms-blob-committed-block-count': String(seen.length) }).end();
      });
    });
    const client = new KeptAlive();
    try {
      for (let i = 1; i <= 3; i++) {
        const answer = await put(client, url, `block ${i}\n`);
        assert.equal(answer.status, 201);
        assert.equal(answer.headers.get('x-ms-blob-committed-block-count'), String(i));
        assert.equal(answer.body.length, 0);
      }
      assert.deepEqual(seen.map((s) => [s.method, s.url, s.body, s.length, s.version]), [1, 2, 3].map((i) => ['PUT', '/account/c/b?comp=appendblock', `block ${i}\n`, '8', '2024-11-04']));
      assert.equal(connections(), 1);
    } finally {
      client.close();
    }
  });

  it('reads a chunked body and a body of a given length, repeated headers joined', async () => {
    const { url } = await httpServer((req, res) => {
      req.resume().on('end', () => {
        if (req.headers['x-shape'] === 'chunked') {
          res.writeHead(409, { 'content-type': 'application/xml', 'x-ms-error-code': 'Conflict' });
          res.write('<?xml version="1.0"?><Error><Code>');
          setTimeout(() => res.end('AppendPositionConditionNotMet</Code></Error>'), 5);
        } else {
          res.setHeader('x-many', ['a', 'b']);
          res.writeHead(412, { 'content-length': '5' }).end('hello');
        }
      });
    });
    const client = new KeptAlive();
    try {
      const chunked = await put(client, url, 'x', { 'x-shape': 'chunked' });
      assert.equal(chunked.status, 409);
      assert.equal(chunked.body.toString(), '<?xml version="1.0"?><Error><Code>AppendPositionConditionNotMet</Code></Error>');
      const sized = await put(client, url, 'x', { 'x-shape': 'sized' });
      assert.deepEqual([sized.status, sized.body.toString(), sized.headers.get('x-many')], [412, 'hello', 'a, b']);
    } finally {
      client.close();
    }
  });

  it('opens a new connection after one the server closed, by its answer, while idle, or by its keep-alive hint', async () => {
    const closed: Array<Promise<unknown>> = [];
    const { url, connections } = await httpServer((req, res) => {
      req.resume().on('end', () => {
        const headers: Record<string, string> = req.headers['x-close'] === 'answer' ? { connection: 'close' } : req.headers['x-close'] === 'hint' ? { 'keep-alive': 'timeout=1' } : {};
        res.writeHead(201, headers).end();
        if (req.headers['x-close'] === 'idle') {
          closed.push(once(req.socket, 'close'));
          setTimeout(() => req.socket.destroy(), 10);
        }
      });
    });
    const client = new KeptAlive();
    try {
      assert.equal((await put(client, url, 'a', { 'x-close': 'answer' })).status, 201);
      assert.equal((await put(client, url, 'a', { 'x-close': 'idle' })).status, 201);
      assert.equal(connections(), 2, 'connection: close is not reused');
      await Promise.all(closed);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal((await put(client, url, 'a', { 'x-close': 'hint' })).status, 201, 'an idle connection the server closed is not used');
      assert.equal(connections(), 3);
      // timeout=1: kept for no time at all (a second less than the server keeps it).
      assert.equal((await put(client, url)).status, 201);
      assert.equal(connections(), 4);
    } finally {
      client.close();
    }
  });

  it('skips an interim answer and keeps an HTTP/1.0 connection only when it says keep-alive', async () => {
    const counted = { connections: 0 };
    const url = await rawServer((request, socket) => {
      const alive = request.includes('x-alive') ? 'connection: keep-alive\r\n' : '';
      socket.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 201 Created\r\n${alive}content-length: 2\r\n\r\nok`);
    }, counted);
    const client = new KeptAlive();
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await put(client, url);
        assert.deepEqual([answer.status, answer.body.toString()], [201, 'ok']);
      }
      assert.equal(counted.connections, 2, 'an HTTP/1.0 answer closes its connection');
      for (let i = 0; i < 2; i++) assert.equal((await put(client, url, 'x', { 'x-alive': '1' })).status, 201);
      assert.equal(counted.connections, 3, 'unless it says keep-alive');
    } finally {
      client.close();
    }
  });

  it('rejects an answer it cannot read, and bytes after the answer, and drops the connection', async () => {
    const client = new KeptAlive();
    try {
      for (const raw of ['SSH-2.0-OpenSSH\r\n\r\n', 'HTTP/1.1 201 Created\r\nno colon here\r\n\r\n', 'HTTP/1.1 201 Created\r\n\r\n', 'HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\nHTTP/1.1 201']) {
        const url = await rawServer((_request, socket) => socket.write(raw));
        await assert.rejects(put(client, url), (error: Error) => error.name === 'BadAnswer', raw);
      }
      const chunked = await rawServer((_request, socket) => socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'));
      await assert.rejects(put(client, chunked), /malformed chunk/);
    } finally {
      client.close();
    }
  });

  it('rejects when the server closes before answering, or does not answer in time', async () => {
    const client = new KeptAlive({ timeoutMs: 200 });
    try {
      const closing = await rawServer((_request, socket) => socket.end());
      await assert.rejects(put(client, closing), /closed before the answer/);
      const silent = await rawServer(undefined);
      const started = Date.now();
      await assert.rejects(put(client, silent), /no answer in time/);
      assert.ok(Date.now() - started < 5_000);
    } finally {
      client.close();
    }
  });

  it('refuses a header value that would start another header, sending nothing', async () => {
    let requests = 0;
    const url = await rawServer(() => requests++);
    const client = new KeptAlive();
    try {
      await assert.rejects(put(client, url, 'x', { authorization: 'Bearer t\r\nx-ms-forged: 1' }), /line break/);
      assert.equal(requests, 0);
    } finally {
      client.close();
    }
  });
});
