// Child process of the benchmarks: the local stack with a policy that allows GET and denies /admin
// on an http connection (bench) and allows an openai one (llm), both to BENCH_UPSTREAM (or an
// upstream of its own), recording as BENCH_RECORDING says. Prints one JSON line with the
// addresses, the storage connection string and BENCH_AGENTS tokens (one per agent), then runs
// until its stdin closes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../../cli/dev/stack.js';
import { createLogger } from '../../shared/platform/log.js';

const body = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item-${i}`, quantity: i * 3 })) });
const upstream = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
if (!process.env.BENCH_UPSTREAM) await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamUrl = process.env.BENCH_UPSTREAM ?? `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-'));
const policy = join(dir, 'policy.yaml');
await writeFile(
  policy,
  `version: 1
recording: ${process.env.BENCH_RECORDING ?? 'strict'}
issuers:
  - issuer: \${PORTCULLIS_DEV_ISSUER}
    audience: portcullis
    jwksUri: \${PORTCULLIS_DEV_ISSUER}/jwks.json
    algorithms: [ES256]
connections:
  bench:
    kind: http
    upstream: ${upstreamUrl}
    groups: [agents]
  llm:
    kind: openai
    upstream: ${upstreamUrl}/v1
    groups: [agents]
rules:
  - name: agents-chat
    match: { connections: llm }
    action: allow
  - name: agents-read
    match: { connections: bench, method: GET }
    action: allow
  - name: no-admin
    match: { connections: bench, path: /admin/** }
    action: deny
    message: not for agents
`,
);
const stack = await startStack({ port: 0, stateDir: join(dir, 'state'), policy, log: createLogger({}, () => {}) });
const agents = Number(process.env.BENCH_AGENTS ?? 1);
const tokens = await Promise.all(Array.from({ length: agents }, (_, i) => stack.token(`bench-agent-${i}`, ['agents'], { ttlSeconds: 3600 })));
process.stdout.write(JSON.stringify({ gateway: stack.url, upstream: upstreamUrl, storage: stack.azurite.connectionString, tokens }) + '\n');

const stop = async () => {
  await stack.stop();
  if (upstream.listening) {
    upstream.close();
    upstream.closeAllConnections();
  }
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
