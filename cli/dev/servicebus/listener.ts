// The AMQP 1.0 listener: a rhea container on a TCP port (no TLS, as the SDK connects to an
// emulator), with SASL ANONYMOUS, which is what the SDK offers with a key name and no password.
// Closing ends every client connection and leaves no socket or timer behind.
import rhea from 'rhea';
import type { Connection } from 'rhea';
import type { AddressInfo, Server, Socket } from 'node:net';
import { LinkRouter } from './links.js';
import type { Namespace } from './namespace.js';

// A client that does not answer our AMQP close within this long is cut off.
const CLOSE_GRACE_MS = 1_000;

export interface Listener {
  port: number;
  close(): Promise<void>;
}

export async function listen(namespace: Namespace, host: string, port: number): Promise<Listener> {
  const container = rhea.create_container({
    id: 'servicebus-double',
    // Transfers are accepted, and deliveries settled, only once the double has acted on them.
    autoaccept: false,
    autosettle: false,
    treat_modified_as_released: false,
  });
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();
  const server = container.listen({ host, port }) as Server;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const actualPort = (server.address() as AddressInfo).port;
  const router = new LinkRouter(namespace, `sb://${host}:${actualPort}/`);

  container.on('connection_open', (context) => connections.add(context.connection));
  container.on('receiver_open', (context) => router.receiverOpened(context.receiver!));
  container.on('sender_open', (context) => router.senderOpened(context.sender!));
  container.on('sender_close', (context) => router.senderClosed(context.sender!));
  container.on('session_close', (context) => router.sessionClosed(context.session!));
  for (const event of ['connection_close', 'disconnected']) {
    container.on(event, (context) => {
      connections.delete(context.connection);
      router.connectionClosed(context.connection);
    });
  }
  // Errors a client causes (a bad frame, a link closed with an error) end that client's
  // connection or link; they must not take the whole double down.
  container.on('error', () => {});

  return {
    port: actualPort,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.close();
      const cutOff = setTimeout(() => sockets.forEach((s) => s.destroy()), CLOSE_GRACE_MS);
      await stopped;
      clearTimeout(cutOff);
    },
  };
}
