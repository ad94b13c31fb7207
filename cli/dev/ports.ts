// A loopback port that is free right now: for servers that cannot listen on port 0 themselves
// (PostgreSQL), and for tests that need an address where nothing answers.
import { createServer } from 'node:net';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
