// The real SDK on both sides (an McpServer whose tools this test registers, SSE answers): a tool
// is listed whenever some call of it may be allowed (rules on arguments, flags its annotations
// imply), marked where some call may need approval, hidden only when every call is denied; and an
// approved call whose tool logs before its result gives the repeated call that result, once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { approveAndAwait, DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';

const POLICY = `${DEV_ISSUER_POLICY}
connections:
  tools:
    kind: mcp
    upstream: \${MCP_URL}
    credential: { env: MCP_TOKEN }
    groups: [agents]
    holdWaitSeconds: 1
rules:
  - { name: src-reads, match: { connections: tools, actions: "tools/call:read_file", arguments: { "$.path": "^/src/" } }, action: allow }
  - { name: read-only-tools, match: { connections: tools, actions: "tools/call:*", flags: read-only }, action: allow }
  - { name: writes, match: { connections: tools, actions: "tools/call:write_file" }, action: allow }
  - { name: etc-writes, match: { connections: tools, actions: "tools/call:write_file", arguments: { "$.path": "^/etc/" } }, action: review, review: { groups: [reviewers] } }
  - { name: purges, match: { connections: tools, actions: "tools/call:purge", arguments: { "$.all": "true" } }, action: deny }
  - { name: deletes, match: { connections: tools, actions: "tools/call:delete_file" }, action: review, review: { groups: [reviewers] } }
`;

const calls: Array<{ tool: string; args: unknown }> = [];
const transports = new Map<string, StreamableHTTPServerTransport>();

function register(server: McpServer): void {
  const tool = (name: string, description: string, readOnly = false) =>
    server.registerTool(name, { description, inputSchema: { path: z.string().optional(), all: z.boolean().optional() }, ...(readOnly ? { annotations: { readOnlyHint: true } } : {}) }, async (args, extra) => {
      calls.push({ tool: name, args });
      // Logs before its result, as a tool over SSE may: the result is the stream's last message.
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: `${name} ${args.path ?? ''}` } });
      return { content: [{ type: 'text' as const, text: `${name} done ${args.path ?? ''}` }] };
    });
  tool('read_file', 'Reads a file');
  tool('lookup', 'Looks a word up', true);
  tool('write_file', 'Writes a file');
  tool('purge', 'Purges the cache');
  tool('delete_file', 'Deletes a file');
}

const http = createServer(async (req, res) => {
  let body: unknown;
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }
  const id = req.headers['mcp-session-id'];
  const known = typeof id === 'string' ? transports.get(id) : undefined;
  if (known) return known.handleRequest(req, res, body);
  if (id !== undefined || req.method !== 'POST') return void res.writeHead(404).end();
  const server = new McpServer({ name: 'held-and-listed', version: '1.0.0' }, { capabilities: { logging: {} } });
  register(server);
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (sid) => void transports.set(sid, transport) });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
});

let stack: TestStack;
let client: Client;
let agentToken: string;

before(async () => {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  stack = await startTestStack({ policy: POLICY, env: { MCP_URL: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, MCP_TOKEN: randomUUID() } });
  agentToken = await stack.token('agent-7', ['agents']);
  client = new Client({ name: 'e2e-held', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${stack.url}/api/mcp/tools`), { requestInit: { headers: { authorization: `Bearer ${agentToken}` } } }));
});

after(async () => {
  await client?.close().catch(() => undefined);
  await stack?.stop();
  await Promise.all([...transports.values()].map((t) => t.close().catch(() => undefined)));
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

const text = (result: unknown) => ((result as CallToolResult).content as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');

describe('mcp e2e: lists show what some call may do', () => {
  it('lists tools that rules on arguments or annotation flags allow, marks those a call may need approval for, and hides only what every call is denied', async () => {
    const tools = new Map((await client.listTools()).tools.map((t) => [t.name, t.description ?? '']));
    assert.deepEqual([...tools.keys()].sort(), ['delete_file', 'lookup', 'read_file', 'write_file']);
    assert.doesNotMatch(tools.get('read_file')!, /needs approval/);
    assert.doesNotMatch(tools.get('lookup')!, /needs approval/);
    assert.match(tools.get('write_file')!, /\(needs approval\)$/);
    assert.match(tools.get('delete_file')!, /\(needs approval\)$/);

    // What the list promised holds when called.
    assert.notEqual((await client.callTool({ name: 'read_file', arguments: { path: '/src/a.ts' } })).isError, true);
    assert.equal((await client.callTool({ name: 'read_file', arguments: { path: '/etc/passwd' } })).isError, true);
    assert.notEqual((await client.callTool({ name: 'lookup', arguments: {} })).isError, true);
    assert.notEqual((await client.callTool({ name: 'write_file', arguments: { path: '/tmp/a' } })).isError, true);
    assert.match(text(await client.callTool({ name: 'write_file', arguments: { path: '/etc/hosts' } })), /awaits approval/);
    assert.deepEqual(calls.map((c) => c.tool), ['read_file', 'lookup', 'write_file']);
  });
});

describe('mcp e2e: an approved call whose tool logs before its result', () => {
  it('answers the repeated call with the result, runs it once, and asks again for the next identical call', async () => {
    const args = { path: '/tmp/old.log' };
    const held = await client.callTool({ name: 'delete_file', arguments: args });
    const match = /awaits approval \(approval ([^,]+), pending\)\. Status: (\S+)\./.exec(text(held));
    assert.ok(match, text(held));
    const [, id, statusUrl] = match;
    await approveAndAwait(stack, id!, agentToken, statusUrl!);
    const deletes = () => calls.filter((c) => c.tool === 'delete_file').length;
    assert.equal(deletes(), 1, 'carried out once approved');

    const repeated = await client.callTool({ name: 'delete_file', arguments: args });
    assert.notEqual(repeated.isError, true, text(repeated));
    assert.equal(text(repeated), 'delete_file done /tmp/old.log');

    const again = await client.callTool({ name: 'delete_file', arguments: args });
    assert.match(text(again), /awaits approval/);
    assert.ok(!text(again).includes(id!), 'a new approval');
    assert.equal(deletes(), 1);
  });
});
