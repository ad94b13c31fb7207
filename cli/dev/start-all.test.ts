import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startAll } from './start-all.js';

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const portOf = (server: Server) => (server.address() as { port: number }).port;
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** True when something accepts connections on the port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('startAll', () => {
  it('resolves with every resource, in order', async () => {
    const [a, b] = await startAll({ start: listen, stop: close }, { start: async () => 'two', stop: () => undefined });
    assert.equal(b, 'two');
    assert.equal(await accepting(portOf(a)), true);
    await close(a);
  });

  it('stops what did start when another part fails, and passes the failure on', async () => {
    let started: Server | undefined;
    let port = 0;
    const boom = new Error('no browser here');
    await assert.rejects(
      startAll(
        {
          start: async () => {
            started = await listen();
            port = portOf(started);
            return started;
          },
          stop: close,
        },
        // Fails after the server is up, as launching Chromium fails after the stack started.
        { start: () => new Promise((_, reject) => setTimeout(() => reject(boom), 20)), stop: () => undefined },
      ),
      (error) => error === boom,
    );
    assert.ok(started, 'the server had started');
    assert.equal(started.listening, false, 'the server was closed');
    assert.equal(await accepting(port), false, 'nothing listens on its port any more');
  });

  it('stops the others even when one of the stops fails, and reports every failed start', async () => {
    const servers: Server[] = [];
    const track = async () => {
      const s = await listen();
      servers.push(s);
      return s;
    };
    await assert.rejects(
      startAll(
        { start: track, stop: close },
        { start: track, stop: () => Promise.reject(new Error('stuck')) },
        { start: () => Promise.reject(new Error('first')), stop: () => undefined },
        { start: () => Promise.reject(new Error('second')), stop: () => undefined },
      ),
      (error) => error instanceof AggregateError && error.errors.length === 2,
    );
    assert.equal(servers[0]!.listening, false);
    await close(servers[1]!);
  });
});
