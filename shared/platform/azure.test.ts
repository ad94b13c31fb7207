// The Azure clients fail within a bound when a service takes the connection and never answers
// (a partitioned network), rather than holding the request that waits on them.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { serviceBusClient } from './azure.js';

const unused = { getToken: async () => null };

describe('azure clients', () => {
  it('a Service Bus send fails, rather than waits for minutes, when the namespace never answers', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = serviceBusClient({ kind: 'connectionString', connectionString: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=k;SharedAccessKey=a2V5;UseDevelopmentEmulator=true` }, unused);
    let timer: NodeJS.Timeout | undefined;
    try {
      // The SDK's defaults give up after about 120 s; the app's bound is about 20 s.
      const stillWaiting = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('still waiting after 60 s')), 60_000)));
      await assert.rejects(Promise.race([client.createSender('approvals').sendMessages({ body: 'approval' }), stillWaiting]), (error: Error) => error.message !== 'still waiting after 60 s');
    } finally {
      clearTimeout(timer);
      // Connections first: closing the client would wait on the silent one.
      for (const socket of sockets) socket.destroy();
      await client.close().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
