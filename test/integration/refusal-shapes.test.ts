// Refusals made before a request's connection is known to be good — a token refused, a connection
// the policy does not have, a bad session header — still come in a shape the agent's client reads:
// JSON-RPC errors on the MCP route (the route alone says MCP), and an `error.message` the model
// SDKs show on the proxy route, rather than "404 status code (no body)".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';

const POLICY = `${DEV_ISSUER_POLICY}
connections:
  tools: { kind: mcp, upstream: "https://127.0.0.1:9/mcp", groups: [agents] }
  llm: { kind: openai, upstream: "https://127.0.0.1:9/v1", groups: [agents] }
rules:
  - { name: agents, match: { groups: agents }, action: allow }
`;

let stack: TestStack;
let token: string;

before(async () => {
  stack = await startTestStack({ policy: POLICY });
  token = await stack.token('agent-1', ['agents']);
});

after(async () => {
  await stack?.stop();
});

const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });

describe('refusals before the connection is judged', () => {
  it('are JSON-RPC errors on the MCP route: no token, an unknown connection, a bad session header', async () => {
    for (const [connection, headers, status] of [
      ['tools', {}, 401],
      ['nope', { authorization: `Bearer ${token}` }, 404],
      ['tools', { authorization: `Bearer ${token}`, 'x-portcullis-session': '!!' }, 400],
    ] as const) {
      const res = await fetch(`${stack.url}/api/mcp/${connection}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: INITIALIZE,
      });
      const body = (await res.json()) as { jsonrpc?: string; error?: { message?: string } };
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(body.jsonrpc, '2.0', JSON.stringify(body));
      assert.ok(body.error?.message, JSON.stringify(body));
    }
  });

  it('carry a message the openai SDK shows: an unknown connection, a bad session header', async () => {
    for (const [connection, headers, pattern] of [
      ['nope', {}, /nope/],
      ['llm', { 'x-portcullis-session': '!!' }, /session/i],
    ] as const) {
      const client = new OpenAI({ apiKey: token, baseURL: `${stack.url}/api/proxy/${connection}`, maxRetries: 0, defaultHeaders: headers });
      const error = await client.models.list().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.match(error.message, pattern);
      assert.doesNotMatch(error.message, /no body/);
    }
  });
});
