// A recording HTTP upstream for integration tests: it remembers every request it receives (so a
// test can prove what did or did not reach the target) and serves a few behaviours on demand.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface TestUpstream {
  url: string;
  received: Received[];
  route(path: string, handler: Route): void;
  close(): Promise<void>;
}

export async function startTestUpstream(): Promise<TestUpstream> {
  const received: Received[] = [];
  const routes = new Map<string, Route>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      // The sender gave up mid-body (the gateway aborting an over-limit upload): nothing to answer.
      return;
    }
    const body = Buffer.concat(chunks);
    received.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const handler = routes.get(path) ?? [...routes.entries()].find(([p]) => p.endsWith('*') && path.startsWith(p.slice(0, -1)))?.[1];
    try {
      if (handler) await handler(req, res, body);
      else json(res, 200, { method: req.method, path, query: req.url?.split('?')[1] ?? '', bytes: body.length });
    } catch (error) {
      if (!res.headersSent) json(res, 500, { error: String(error) });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
