// `portcullis dev` (what `npm start` runs): healthy within 30 s, and Ctrl-C stops everything it
// started — nothing keeps listening afterwards. The banner's MCP client config works as printed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const bin = fileURLToPath(new URL('../../../bin/portcullis.mjs', import.meta.url));

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** The banner's MCP client config works as printed: the SDK client lists and calls the example tools. */
async function exampleMcp(output: string): Promise<void> {
  const token = /export TOKEN=(\S+)/.exec(output)![1]!;
  const url = /"url": "([^"]+\/api\/mcp\/example-mcp)"/.exec(output)?.[1];
  assert.ok(url, `the banner prints the .mcp.json entry:\n${output}`);
  assert.match(output, /"type": "http"/);
  assert.match(output, /"Authorization": "Bearer \$\{TOKEN\}"/);
  const client = new Client({ name: 'dev-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['delete_file', 'read_file', 'summarize']);
    assert.match(tools.find((t) => t.name === 'delete_file')!.description!, /needs approval/);
    const read = await client.callTool({ name: 'read_file', arguments: { path: '/README.md' } });
    const text = JSON.stringify(read.content);
    assert.match(text, /DEPLOY_TOKEN=\[MASKED/);
    const dropped = await client.callTool({ name: 'drop_database', arguments: {} });
    assert.equal(dropped.isError, true);
  } finally {
    await client.close();
  }
}

describe('portcullis dev', () => {
  it('answers /api/health with 200 within 30 seconds and stops cleanly on SIGINT', async () => {
    const state = await mkdtemp(join(tmpdir(), 'portcullis-dev-'));
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'dev', '--port', '0', '--state', state, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      while (!/Ctrl-C stops everything/.test(output)) {
        if (child.exitCode !== null || Date.now() - started > 30_000) assert.fail(`did not start within 30 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = /running at (http:\/\/\S+)/.exec(output)![1]!;
      const ports = [...output.matchAll(/(?:storage|bus|postgres)\s+(?:http|sb):\/\/127\.0\.0\.1:(\d+)|postgres\s+127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1] ?? m[2]));
      const health = await fetch(`${url}/api/health`);
      assert.equal(health.status, 200, await health.text());
      assert.ok(Date.now() - started < 30_000, `healthy after ${Date.now() - started} ms`);
      assert.ok(ports.length >= 3, output);
      await exampleMcp(output);

      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
      for (const port of [Number(new URL(url).port), ...ports]) assert.equal(await listening(port), false, `port ${port} still listening`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(state, { recursive: true, force: true });
    }
  });
});
