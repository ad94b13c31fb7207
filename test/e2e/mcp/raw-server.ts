// A Streamable HTTP MCP server in raw HTTP whose answers a test scripts, so that it can lie: ids of
// another type, answers on the GET stream, answers to nothing. What it does not script it answers
// as an honest server would (initialize with a session, 202 for notifications, an error otherwise).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawMcp {
  url: string;
  /** Every HTTP request, with its parsed body. */
  received: Array<{ method: string; authorization?: string; body: any }>;
  /** The GET streams open now, latest last. */
  streams: ServerResponse[];
  /** Answers a POSTed message; returns true when it did. */
  handle: (message: any, res: ServerResponse, req: IncomingMessage) => boolean | void;
  close(): Promise<void>;
}

export async function startRawMcp(): Promise<RawMcp> {
  const raw: RawMcp = { url: '', received: [], streams: [], handle: () => false, close: async () => undefined };
  const http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: any = text ? JSON.parse(text) : undefined;
    raw.received.push({ method: req.method!, authorization: req.headers.authorization, body });
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': open\n\n');
      raw.streams.push(res);
      res.on('close', () => raw.streams.splice(raw.streams.indexOf(res), 1));
      return;
    }
    if (req.method === 'DELETE') return void res.writeHead(200).end();
    if (raw.handle(body, res, req)) return;
    if (body.method === 'initialize') {
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'upstream-session-1' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: { protocolVersion: body.params.protocolVersion, capabilities: { tools: { listChanged: true } }, serverInfo: { name: 'raw', version: '1' } } }));
      return;
    }
    if (body.id === undefined) return void res.writeHead(202).end();
    if (body.method === 'ping') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: {} }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: body.id, error: { code: -32601, message: `no handler for ${body.method}` } }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  raw.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  raw.close = async () => {
    for (const stream of raw.streams) stream.destroy();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  return raw;
}

/** One SSE event of a message, as a server writes it; `data` may be a raw JSON text (to write ids such as 3.0). */
export const sseEvent = (data: unknown) => `event: message\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
