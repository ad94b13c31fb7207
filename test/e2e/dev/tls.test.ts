// `portcullis dev --tls`: the gateway over HTTPS with a local CA kept in the state folder, which
// clients that refuse tokens over plain HTTP (kubectl, the Azure CLI, the Azure SDKs) can trust.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/portcullis.mjs', import.meta.url));

describe('portcullis dev --tls', () => {
  it('serves HTTPS with --tls, from a local CA kept in the state folder, and says how to trust it', async () => {
    const state = await mkdtemp(join(tmpdir(), 'portcullis-dev-'));
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'dev', '--port', '0', '--state', state, '--quiet', '--tls'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      while (!/Ctrl-C stops everything/.test(output)) {
        if (child.exitCode !== null || Date.now() - started > 60_000) assert.fail(`did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = /running at (https:\/\/\S+)/.exec(output)?.[1];
      assert.ok(url, output);
      const caPath = join(state, 'tls', 'ca.pem');
      for (const hint of [`NODE_EXTRA_CA_CERTS=${caPath}`, `REQUESTS_CA_BUNDLE=${caPath}`, `--certificate-authority=${caPath}`]) assert.ok(output.includes(hint), `${hint} missing:\n${output}`);
      const token = /export TOKEN=(\S+)/.exec(output)![1]!;
      const ca = await readFile(caPath, 'utf8');
      const get = (path: string, trust?: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpsGet(`${url}${path}`, { ca: trust, headers: { authorization: `Bearer ${token}` } }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          });
          req.on('error', reject);
        });
      assert.equal((await get('/api/health', ca)).status, 200);
      const items = await get('/api/proxy/example-api/items', ca);
      assert.equal(items.status, 200, items.body);
      await assert.rejects(get('/api/health'), /self[- ]signed|unable to (get|verify)/i);
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
      if (child.exitCode === null) await once(child, 'exit');
      await rm(state, { recursive: true, force: true });
    }
  });
});
