// The example upstream `portcullis dev` starts: a small inventory API behind the example http
// connection. It insists on the credential the gateway adds, and some of its answers carry
// secrets (generated at start) so a new user sees masking at work.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExampleUpstream {
  url: string;
  /** The credential the gateway must present (the example policy reads it from the environment). */
  token: string;
  close(): Promise<void>;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const random = (alphabet: string, n: number) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');

export async function startExampleUpstream(): Promise<ExampleUpstream> {
  const token = randomBytes(24).toString('base64url');
  const items = new Map<string, { id: string; name: string; quantity: number }>([
    ['1', { id: '1', name: 'widget', quantity: 12 }],
    ['2', { id: '2', name: 'gadget', quantity: 3 }],
  ]);
  const config = {
    service: 'inventory',
    database: { host: 'db.internal', user: 'inventory', password: randomBytes(12).toString('base64url') },
    aws: { accessKeyId: `AKIA${random(BASE32, 16)}`, region: 'eu-west-1' },
    contact: 'ops-team@example.com',
  };

  const server = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) return json(res, 401, { error: 'missing or wrong credential' });
    const url = new URL(req.url ?? '/', 'http://upstream');
    const [, first, id] = url.pathname.split('/');
    if (first === 'items' && !id && req.method === 'GET') return json(res, 200, { items: [...items.values()] });
    if (first === 'items' && !id && req.method === 'POST') {
      const body = JSON.parse((await readText(req)) || '{}') as { name?: string; quantity?: number };
      const item = { id: String(items.size + 1), name: String(body.name ?? 'item'), quantity: Number(body.quantity ?? 0) };
      items.set(item.id, item);
      return json(res, 201, item, { location: `/items/${item.id}` });
    }
    if (first === 'items' && id) {
      const item = items.get(id);
      if (!item) return json(res, 404, { error: 'no such item' });
      if (req.method === 'GET') return json(res, 200, item);
      if (req.method === 'DELETE') {
        items.delete(id);
        return json(res, 200, { deleted: id });
      }
    }
    if (first === 'config' && req.method === 'GET') return json(res, 200, config);
    if (first === 'events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      const secret = config.aws.accessKeyId;
      // The key is split across network writes: the gateway's streaming masker must still catch it.
      for (const part of ['data: deploying...\n\n', `data: using key ${secret.slice(0, 9)}`, `${secret.slice(9)} in eu-west-1\n\n`, 'data: done\n\n']) {
        res.write(part);
        await new Promise((r) => setTimeout(r, 50));
      }
      return res.end();
    }
    if (first === 'admin') return json(res, 200, { users: ['root'] });
    return json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
