// An upstream on the older HTTP+SSE transport (2024-11-05), end to end with the real SDK: the
// SDK's SSEServerTransport behind `transport: sse`, the SDK client speaking Streamable HTTP to the
// gateway as always. Lists are filtered, calls judged, answers masked, the credential added to the
// event stream and to every POST; DELETE closes the upstream stream.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';

const POLICY = `${DEV_ISSUER_POLICY}
connections:
  legacy:
    kind: mcp
    transport: sse
    upstream: \${LEGACY_MCP_URL}
    credential: { env: LEGACY_MCP_TOKEN }
    groups: [agents]
rules:
  - name: echo
    match: { connections: legacy, actions: "tools/call:echo" }
    action: allow
`;

const token = `legacy-${randomBytes(16).toString('hex')}`;
const secret = `ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'a').slice(0, 36)}`;
const transports = new Map<string, SSEServerTransport>();
const received: Array<{ method: string; url: string; authorization?: string }> = [];
let closed = 0;
let wiped = 0;

const http = createServer(async (req: IncomingMessage, res) => {
  received.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
  if (req.headers.authorization !== `Bearer ${token}`) {
    res.writeHead(401).end();
    return;
  }
  const url = new URL(req.url!, 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/sse') {
    const server = new McpServer({ name: 'legacy', version: '1.0.0' });
    server.registerTool('echo', { description: 'Echoes a text', inputSchema: { text: z.string() } }, async ({ text }) => ({
      content: [{ type: 'text' as const, text: `echo: ${text} (token ${secret})` }],
    }));
    server.registerTool('wipe', { description: 'Wipes everything', inputSchema: {} }, async () => {
      wiped++;
      return { content: [{ type: 'text' as const, text: 'wiped' }] };
    });
    const transport = new SSEServerTransport('/messages', res);
    transports.set(transport.sessionId, transport);
    res.on('close', () => {
      closed++;
      transports.delete(transport.sessionId);
    });
    await server.connect(transport);
    return;
  }
  const transport = transports.get(url.searchParams.get('sessionId') ?? '');
  if (req.method === 'POST' && url.pathname === '/messages' && transport) return transport.handlePostMessage(req, res);
  res.writeHead(404).end();
});

let stack: TestStack;
let client: Client;
let transport: StreamableHTTPClientTransport;

before(async () => {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/sse`;
  stack = await startTestStack({ policy: POLICY, env: { LEGACY_MCP_URL: url, LEGACY_MCP_TOKEN: token } });
  const agentToken = await stack.token('agent-7', ['agents']);
  client = new Client({ name: 'e2e', version: '1.0.0' });
  transport = new StreamableHTTPClientTransport(new URL(`${stack.url}/api/mcp/legacy`), {
    requestInit: { headers: { authorization: `Bearer ${agentToken}`, 'x-portcullis-session': `mcp-sse-${randomUUID()}` } },
  });
  await client.connect(transport);
});

after(async () => {
  await client?.close().catch(() => undefined);
  await stack?.stop();
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

const text = (result: unknown) => ((result as CallToolResult).content as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');

describe('mcp e2e: an upstream on the HTTP+SSE transport', () => {
  it('opens one event stream and posts to its endpoint, with the gateway\'s credential', () => {
    assert.ok(transport.sessionId, 'the agent holds a gateway session');
    assert.equal(received.filter((r) => r.method === 'GET').length, 1);
    assert.ok(received.some((r) => r.method === 'POST' && r.url.startsWith('/messages?sessionId=')));
    assert.ok(received.every((r) => r.authorization === `Bearer ${token}`));
  });

  it('lists only what the principal may call, runs an allowed call with its answer masked, refuses a denied one', async () => {
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo']);
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    assert.notEqual(echoed.isError, true, text(echoed));
    assert.match(text(echoed), /^echo: hello \(token \[MASKED/);
    assert.ok(!text(echoed).includes(secret));
    const refused = await client.callTool({ name: 'wipe', arguments: {} });
    assert.equal(refused.isError, true);
    assert.equal(wiped, 0);
  });

  it('answers several calls in flight, each with its own answer', async () => {
    const answers = await Promise.all(['a', 'b', 'c'].map((t) => client.callTool({ name: 'echo', arguments: { text: t } })));
    assert.deepEqual(answers.map((a) => text(a).slice(0, 7)), ['echo: a', 'echo: b', 'echo: c']);
  });

  it('closes the upstream event stream when the agent ends its session', async () => {
    await transport.terminateSession();
    const deadline = Date.now() + 10_000;
    while (closed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, 1);
  });
});
