import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { defineHttp, defineTimer, type HttpFunction } from '../../../shared/platform/triggers.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { startHost, type LocalHost } from './index.js';

let releaseSecondChunk: () => void = () => {};
let releaseLater: () => void = () => {};

const functions = [
  defineHttp({
    name: 'echo',
    route: 'echo/{name}/{*rest}',
    methods: ['GET', 'POST', 'PUT'],
    handler: async (req) => ({
      status: 200,
      jsonBody: {
        method: req.method,
        params: req.params,
        query: Object.fromEntries(req.query),
        header: req.headers.get('x-custom'),
      },
    }),
  }),
  defineHttp({
    name: 'bytes',
    route: 'bytes',
    methods: ['POST'],
    handler: async (req) => {
      const body = new Uint8Array(await req.arrayBuffer());
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: body.reverse() };
    },
  }),
  defineHttp({
    name: 'stream',
    route: 'stream',
    methods: ['GET'],
    handler: async () => {
      const second = new Promise<void>((resolve) => (releaseSecondChunk = resolve));
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode('first;'));
          await second;
          controller.enqueue(new TextEncoder().encode('second;'));
          controller.close();
        },
      });
      return { status: 200, headers: { 'content-type': 'text/plain' }, body };
    },
  }),
  defineHttp({
    name: 'short-stream',
    route: 'stream/short',
    methods: ['GET'],
    handler: async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('data: one\n\ndata: two\n\n'));
          controller.close();
        },
      });
      return { status: 200, headers: { 'content-type': 'text/event-stream' }, body };
    },
  }),
  defineHttp({
    name: 'later-stream',
    route: 'stream/later',
    methods: ['GET'],
    handler: async () => {
      const later = new Promise<void>((resolve) => (releaseLater = resolve));
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          await later;
          controller.enqueue(new TextEncoder().encode('at last'));
          controller.close();
        },
      });
      return { status: 200, headers: { 'content-type': 'text/event-stream' }, body };
    },
  }),
  defineHttp({
    name: 'burst-stream',
    route: 'stream/burst',
    methods: ['GET'],
    handler: async () => {
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode('first;'));
          await new Promise((resolve) => setTimeout(resolve, 20));
          // Ten events in one turn of the event loop, each from a callback of its own, as an
          // upstream's socket reads arrive together.
          await new Promise<void>((resolve) => {
            for (let i = 0; i < 10; i++) {
              setImmediate(() => {
                controller.enqueue(new TextEncoder().encode(`event ${i};`));
                if (i === 9) resolve();
              });
            }
          });
          controller.close();
        },
      });
      return { status: 200, headers: { 'content-type': 'text/event-stream' }, body };
    },
  }),
  defineHttp({
    name: 'text',
    route: 'text/{status}',
    methods: ['GET'],
    handler: async (req) => ({
      status: Number(req.params.status),
      body: 'héllo',
      headers: { 'x-kind': 'text' },
      cookies: [{ name: 'seen', value: '1', httpOnly: true }],
    }),
  }),
  defineHttp({
    name: 'refuse-unread',
    route: 'refuse',
    methods: ['POST'],
    // Answers before reading the body, as the gateway does with a 415 or a 413.
    handler: async () => ({ status: 415, jsonBody: { refused: true } }),
  }),
  defineHttp({
    name: 'wrapped-failure',
    route: 'fail/wrapped',
    methods: ['GET'],
    handler: async () => {
      throw new Error('boom inside a defined function');
    },
  }),
];

// A definition that bypasses defineHttp's guard: the host itself must still answer with a problem.
const rawFailure: HttpFunction = {
  trigger: 'http',
  name: 'raw-failure',
  route: 'fail/raw',
  methods: ['GET'],
  handler: async () => {
    throw new Error('boom escaping the handler');
  },
};

describe('local host: HTTP', () => {
  let host: LocalHost;
  const log = memoryLogger();

  before(async () => {
    host = await startHost({ functions: [...functions, rawFailure], log });
  });
  after(() => host.close());

  it('maps route parameters, catch-all, query and headers into HttpRequest', async () => {
    const res = await fetch(`${host.url}/api/echo/alpha/one/two%20three?x=1&y=b`, { headers: { 'x-custom': 'hello' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      method: 'GET',
      params: { name: 'alpha', rest: 'one/two three' },
      query: { x: '1', y: 'b' },
      header: 'hello',
    });
  });

  it('passes binary request and response bodies through unchanged', async () => {
    const payload = randomBytes(256 * 1024);
    const res = await fetch(`${host.url}/api/bytes`, { method: 'POST', body: payload });
    const back = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(back, Buffer.from(payload).reverse());
  });

  it('sends a text body with its length, the type fetch gives text, headers and cookies; none for a status without a body', async () => {
    const res = await fetch(`${host.url}/api/text/201`);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength('héllo')));
    assert.equal(res.headers.get('x-kind'), 'text');
    assert.equal(res.headers.get('set-cookie'), 'seen=1; HttpOnly');
    assert.equal(await res.text(), 'héllo');
    const empty = await fetch(`${host.url}/api/text/204`);
    assert.equal(empty.status, 204);
    assert.equal(empty.headers.get('content-type'), null);
    assert.equal(await empty.text(), '');
  });

  it('streams a ReadableStream body to the client chunk by chunk', async () => {
    const res = await fetch(`${host.url}/api/stream`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    // The second chunk is only produced after the client has seen the first.
    assert.equal(new TextDecoder().decode(first.value), 'first;');
    releaseSecondChunk();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    assert.equal(rest, 'second;');
  });

  /** The body of `path`, and the writes the host made on its side of the connection (each one a system call). */
  async function counted(path: string): Promise<{ text: string; writes: number[] }> {
    const writes: number[] = [];
    const original = { write: Socket.prototype._write, writev: Socket.prototype._writev };
    const port = Number(new URL(host.url).port);
    Socket.prototype._write = function (...args: Parameters<Socket['_write']>) {
      if (this.localPort === port) writes.push(1);
      return original.write.apply(this, args);
    };
    Socket.prototype._writev = function (...args: Parameters<NonNullable<Socket['_writev']>>) {
      if (this.localPort === port) writes.push(args[0].length);
      return original.writev!.apply(this, args);
    };
    try {
      const res = await fetch(`${host.url}/api/${path}`);
      return { text: await res.text(), writes };
    } finally {
      Socket.prototype._write = original.write;
      Socket.prototype._writev = original.writev;
    }
  }

  it('sends a short stream with its headers and its end in one write', async () => {
    const { text, writes } = await counted('stream/short');
    assert.equal(text, 'data: one\n\ndata: two\n\n');
    assert.equal(writes.length, 1, `writes: ${JSON.stringify(writes)}`);
  });

  it('sends the chunks of a stream that come in one turn in one write', async () => {
    const { text, writes } = await counted('stream/burst');
    assert.equal(text, 'first;' + Array.from({ length: 10 }, (_, i) => `event ${i};`).join(''));
    assert.equal(writes.length, 2, `the headers and the first chunk, then the ten and the end: ${JSON.stringify(writes)}`);
  });

  it('sends the headers of a stream with nothing to send yet at once', async () => {
    const res = await fetch(`${host.url}/api/stream/later`);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    releaseLater();
    assert.equal(await res.text(), 'at last');
  });

  for (const path of ['fail/wrapped', 'fail/raw']) {
    it(`turns an unhandled error into a 500 problem+json with a request id (${path})`, async () => {
      const res = await fetch(`${host.url}/api/${path}`);
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const problem = (await res.json()) as Record<string, unknown>;
      assert.equal(problem.status, 500);
      assert.match(String(problem.requestId), /^[0-9a-f-]{36}$/);
      assert.equal(res.headers.get('x-request-id'), problem.requestId);
      assert.ok(!JSON.stringify(problem).includes('boom'), 'the error message is not echoed');
      assert.ok(
        log.lines.some((l) => l.level === 'error' && l.requestId === problem.requestId && /boom/.test(String(l.message) + String(l.error))),
        'the error is logged with the request id',
      );
    });
  }

  it('answers unknown routes with 404 and wrong methods with 405 and Allow', async () => {
    const missing = await fetch(`${host.url}/api/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
    const wrong = await fetch(`${host.url}/api/bytes`, { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
  });

  it('closes a connection whose request body it answered without reading, and says so', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (path: string, body: string) =>
      new Promise<string>((resolve) => {
        const req = httpRequest(`${host.url}${path}`, { method: 'POST', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(`${res.statusCode} ${res.headers.connection}`));
        });
        req.on('error', (e) => resolve(`error ${e.message}`));
        req.end(body);
      });
    try {
      assert.equal(await post('/api/bytes', 'abc'), '200 keep-alive');
      assert.equal(await post('/api/refuse', 'y'.repeat(200_000)), '415 close');
      assert.equal(await post('/api/bytes', 'abc'), '200 keep-alive', 'the next request gets a connection that works');
    } finally {
      agent.destroy();
    }
  });

  /** Sends `text` as it is on a connection of its own; the whole answer, once the host closes it. */
  const raw = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = new Socket();
      let answer = '';
      socket.on('data', (d) => (answer += d));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
      socket.connect(host.port, '127.0.0.1', () => socket.write(text));
    });

  const problemOf = (answer: string) => {
    const [head, body] = answer.split('\r\n\r\n');
    assert.match(head!, /^content-type: application\/problem\+json$/im);
    assert.match(head!, /^connection: close$/im);
    return { status: Number(head!.split(' ')[1]), problem: JSON.parse(body!) as Record<string, unknown> };
  };

  it('answers a Host the URL parser refuses with 400 problem+json, not 500', async () => {
    const { status, problem } = problemOf(await raw('GET /api/echo/a/b HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'));
    assert.equal(status, 400);
    assert.equal(problem.type, 'urn:portcullis:problem:bad-request');
  });

  it('answers what node:http refuses itself with problem+json and closes the connection: 431 for headers too large, 400 for broken chunking', async () => {
    const big = problemOf(await raw(`GET /api/echo/a/b HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    assert.deepEqual([big.status, big.problem.status, big.problem.type], [431, 431, 'urn:portcullis:problem:headers-too-large']);
    const chunked = problemOf(await raw('POST /api/bytes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n'));
    assert.deepEqual([chunked.status, chunked.problem.type], [400, 'urn:portcullis:problem:bad-request']);
    assert.match(String(chunked.problem.detail), /HPE_INVALID_CHUNK_SIZE/);
    assert.equal((await fetch(`${host.url}/api/echo/a/b`)).status, 200, 'and keeps serving');
  });

  it('keeps serving after a client disconnects mid-stream', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${host.url}/api/stream`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (e.message.includes('aborted') || e.message.includes('socket hang up') ? resolve() : reject(e)));
      req.end();
    });
    releaseSecondChunk();
    const res = await fetch(`${host.url}/api/echo/a/b`);
    assert.equal(res.status, 200);
  });
});

describe('local host: timers', () => {
  it('runs a timer function on its six-field schedule', async () => {
    const fired: string[] = [];
    const host = await startHost({
      functions: [
        defineTimer({
          name: 'tick',
          schedule: '* * * * * *',
          handler: async (timer) => {
            fired.push(timer.scheduleStatus.next);
          },
        }),
      ],
      log: memoryLogger(),
    });
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    await host.close();
    assert.ok(fired.length >= 2, `fired ${fired.length} times`);
    assert.ok(fired.every((next) => new Date(next).getUTCMilliseconds() === 0));
  });
});
