// `portcullis dev` (what `npm start` runs): healthy within a minute even while the suite runs three
// test files at once (about 35 s on a quiet machine here), and Ctrl-C stops everything it
// started — nothing keeps listening afterwards. The banner's MCP client config works as printed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** It starts Azurite, the Service Bus double, PostgreSQL, MariaDB, sshd and the example upstreams. */
const START_MS = 60_000;

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
  it('answers /api/health with 200 within 60 seconds and stops cleanly on SIGINT', async () => {
    const state = await mkdtemp(join(tmpdir(), 'portcullis-dev-'));
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'dev', '--port', '0', '--state', state, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      while (!/Ctrl-C stops everything/.test(output)) {
        if (child.exitCode !== null || Date.now() - started > START_MS) assert.fail(`did not start within ${START_MS / 1000} s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = /running at (http:\/\/\S+)/.exec(output)![1]!;
      const ports = [...output.matchAll(/(?:storage|bus|postgres|cards)\s+(?:http|sb):\/\/127\.0\.0\.1:(\d+)|postgres\s+127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1] ?? m[2]));
      // Healthy once every dependency answers its check; under load a first check may time out.
      let health = await fetch(`${url}/api/health`);
      while (health.status !== 200 && Date.now() - started < START_MS) {
        await health.arrayBuffer();
        await new Promise((r) => setTimeout(r, 500));
        health = await fetch(`${url}/api/health`);
      }
      assert.equal(health.status, 200, await health.text());
      assert.ok(Date.now() - started < START_MS, `healthy after ${Date.now() - started} ms`);
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

  it('stops with the policy\'s problems (exit 2) when the policy does not load, instead of running', async () => {
    const state = await mkdtemp(join(tmpdir(), 'portcullis-dev-'));
    const policy = join(state, 'broken.yaml');
    await writeFile(policy, 'version: 1\nissuers: []\nconnections:\n  api: { kind: htp, upstream: "http://127.0.0.1:1" }\nrules: []\n');
    try {
      const { code, output } = await runToEnd(['dev', '--port', '0', '--state', state, '--quiet', '--policy', policy]);
      assert.equal(code, 2, output);
      assert.match(output, /broken\.yaml:\d+:\d+/);
      assert.match(output, /did not start/);
      assert.doesNotMatch(output, /running at/);
    } finally {
      await rm(state, { recursive: true, force: true });
    }
  });

  it('says in one line that the port is taken', async () => {
    const state = await mkdtemp(join(tmpdir(), 'portcullis-dev-'));
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, output } = await runToEnd(['dev', '--port', String(port), '--state', state, '--quiet']);
      assert.equal(code, 1, output);
      assert.equal(output.trim().split('\n').length, 1, output);
      assert.match(output, new RegExp(`port ${port} .* in use.*--port`));
      assert.doesNotMatch(output, /EADDRINUSE|    at /);
    } finally {
      taken.close();
      await rm(state, { recursive: true, force: true });
    }
  });

  it('with --policy and --persist: examples for that policy, the auditor tools find the stack, and the sessions outlive a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-dev-'));
    const state = join(dir, 'state');
    const policy = join(dir, 'mine.yaml');
    await writeFile(
      policy,
      `version: 1
issuers:
  - { issuer: "\${PORTCULLIS_DEV_ISSUER}", audience: portcullis, jwksUri: "\${PORTCULLIS_DEV_ISSUER}/jwks.json", algorithms: [ES256] }
auditors: { groups: [auditors] }
connections:
  inventory:
    kind: http
    description: My inventory
    upstream: \${EXAMPLE_API_URL}
    credential: { env: EXAMPLE_API_TOKEN }
    groups: [builders]
rules:
  - { name: reads, match: { connections: inventory, method: GET }, action: allow }
`,
    );
    const day = new Date().toISOString().slice(0, 10);
    try {
      const first = await startDev(['--state', state, '--policy', policy, '--persist'], dir);
      let session: string;
      try {
        assert.match(first.output, /export PORTCULLIS_URL=http:\/\/127\.0\.0\.1:\d+/);
        assert.match(first.output, /# inventory \(http\): My inventory/);
        assert.match(first.output, /curl -s -H "Authorization: Bearer \$TOKEN" \$PORTCULLIS_URL\/api\/proxy\/inventory\//);
        assert.doesNotMatch(first.output, /example-llm/);
        assert.match(first.output, /storage\s+DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;/);
        const token = /export TOKEN=(\S+)/.exec(first.output)![1]!;
        const res = await fetch(`${first.url}/api/proxy/inventory/items`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200, await res.text());
        session = res.headers.get('x-portcullis-session')!;

        const exported = await runToEnd(['sessions', 'export', '--from', day, '--to', day, '--out', join(dir, 'export1'), '--state', 'state'], dir);
        assert.equal(exported.code, 0, exported.output);
        assert.match(await readFile(join(dir, 'export1', 'manifest.json'), 'utf8'), new RegExp(session));
      } finally {
        await first.stop();
      }

      const second = await startDev(['--state', state, '--policy', policy, '--persist'], dir);
      try {
        const exported = await runToEnd(['sessions', 'export', '--from', day, '--to', day, '--out', join(dir, 'export2'), '--state', 'state'], dir);
        assert.equal(exported.code, 0, exported.output);
        assert.match(await readFile(join(dir, 'export2', 'manifest.json'), 'utf8'), new RegExp(session), 'the session recorded before the restart');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function runToEnd(args: string[], cwd?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', fail);
    child.on('close', (code) => (clearTimeout(timer), done({ code, output })));
  });
}

async function startDev(args: string[], cwd: string): Promise<{ url: string; output: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [bin, 'dev', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGINT');
    await once(child, 'exit');
  };
  const started = Date.now();
  while (!/Ctrl-C stops everything/.test(output)) {
    if (child.exitCode !== null || Date.now() - started > 90_000) {
      await stop();
      assert.fail(`did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: /running at (http:\/\/\S+)/.exec(output)![1]!, get output() { return output; }, stop };
}
