// Proxy benchmark: requests per second and p50/p99 latency through the gateway's allow path
// (identify → classify → decide → record → forward → mask → record) versus straight to the same
// upstream, in one run. The stack runs in a child process; autocannon drives both from here.
import autocannon from 'autocannon';
import { startBenchStack } from '../support/child.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const duration = Number(process.env.BENCH_SECONDS ?? 10);

const stack = await startBenchStack();
const { gateway, upstream } = stack;
const token = stack.tokens[0]!;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
}

async function measure(url: string, headers: Record<string, string>, perConnectionSession: boolean): Promise<Figures> {
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    duration,
    headers,
    // Each connection is its own agent session, as concurrent agents would be.
    setupClient: perConnectionSession ? (client) => client.setHeaders({ ...headers, 'x-portcullis-session': `bench-${n++}` }) : undefined,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
}

// A short warm-up of both paths (JIT, JWKS fetch, blob creation) before measuring.
await autocannon({ url: `${gateway}/api/proxy/bench/items`, connections: 4, duration: 2, headers: { authorization: `Bearer ${token}` } });
await autocannon({ url: `${upstream}/items`, connections: 4, duration: 1 });

const direct = await measure(`${upstream}/items`, {}, false);
const before = stack.cpu();
const proxied = await measure(`${gateway}/api/proxy/bench/items`, { authorization: `Bearer ${token}` }, true);
const after = stack.cpu();
const perRequest = (seconds: number) => ((seconds * 1000) / proxied.requests).toFixed(2);

const row = (name: string, f: Figures) =>
  `${name.padEnd(10)} ${f.rps.toFixed(0).padStart(8)} ${f.p50.toFixed(1).padStart(8)} ${f.p99.toFixed(1).padStart(8)} ${String(f.requests).padStart(9)} ${String(f.errors + f.non2xx).padStart(7)}`;
console.log(`\nproxy benchmark: ${connections} connections, ${duration} s each, GET returning 1.1 KB of JSON`);
console.log(`${'path'.padEnd(10)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'requests'.padStart(9)} ${'failed'.padStart(7)}`);
console.log(row('direct', direct));
console.log(row('gateway', proxied));
console.log(
  `\nCPU per proxied request: gateway process ${perRequest(after.stack - before.stack)} ms (gateway, local host, upstream, Service Bus double), ` +
    `Azurite ${perRequest(after.azurite - before.azurite)} ms (two session-log appends)`,
);
console.log(`gateway / direct: ${(proxied.rps / direct.rps).toFixed(3)} of the throughput, p50 +${(proxied.p50 - direct.p50).toFixed(1)} ms, p99 +${(proxied.p99 - direct.p99).toFixed(1)} ms`);

await stack.stop();
