// Proxy benchmark, side by side in one run: the bare upstream, a bare node:http proxy, Portkey's
// open-source gateway and Portcullis (strict recording, best-effort recording, strict with
// telemetry on), all forwarding to the same upstream in its own process: a 1 KB chat completion
// (JSON) and the same answer streamed as 50 deltas (SSE), at 1 and 16 connections. For each it
// prints the added p50/p99 over the bare upstream, req/s and the gateway process's CPU per request
// (Portcullis's Azurite separately, and the Append Blocks its session logs took per request). Every
// gateway is a child process; autocannon drives them. Portcullis runs compiled by tsc, as Azure
// runs it (bench/support/compiled.ts), and Portkey its own build.
//
// All gateways run at once and are measured in turn, round after round; each figure is the median
// over the rounds. This machine's speed drifts by tens of percent over minutes, and a gateway
// measured minutes after another would be compared with a different machine.
// Against Portkey, each round's figures are also compared with Portkey's of the same round, and
// the median of those ratios printed.
//   BENCH_SECONDS (5)  BENCH_ROUNDS (3)  BENCH_WARMUP_SECONDS (30 per load)  BENCH_CONNECTIONS (1,16)
//   BENCH_LOADS (json,sse)  BENCH_GATEWAYS (bare,portkey,strict,best-effort,telemetry)
import { BlobServiceClient } from '@azure/storage-blob';
import autocannon, { type Client, type Result } from 'autocannon';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { SESSION_CONTAINER } from '../../shared/sessions/index.js';
import { startBenchStack, startPortkey, startScript, type Child } from '../support/child.js';

const duration = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);
const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '1,16').split(',').map(Number);
const loads = (process.env.BENCH_LOADS ?? 'json,sse').split(',') as Array<'json' | 'sse'>;
const gateways = (process.env.BENCH_GATEWAYS ?? 'bare,portkey,strict,best-effort,telemetry').split(',');

const prompt = { model: 'gpt-bench', messages: [{ role: 'user', content: 'Summarise the release notes of the last version in three lines.' }] };
const bodyOf = (load: 'json' | 'sse') => JSON.stringify(load === 'sse' ? { ...prompt, stream: true } : prompt);

interface Target {
  name: string;
  /** The chat completions URL. */
  url: string;
  headers: Record<string, string>;
  /** Each connection is its own agent session, as concurrent agents would be. */
  sessions?: boolean;
  /** CPU seconds of the gateway process so far, and of its storage (Azurite) when it has one. */
  cpu(): { gateway: number; storage?: number };
  /** Append Blocks committed to its session logs so far, for a gateway that keeps them. */
  blocks?(): Promise<number>;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
  cpuMs: number;
  storageCpuMs?: number;
  /** Append Blocks per request: two when every request's events go apart, one when they fold. */
  blocksPerRequest?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function run(target: Target, load: 'json' | 'sse', connections: number, seconds: number): Promise<{ times: number[]; result: Result }> {
  let n = 0;
  const times: number[] = [];
  const headers = { 'content-type': 'application/json', ...target.headers };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        body: bodyOf(load),
        connections,
        duration: seconds,
        headers,
        setupClient: target.sessions ? (client: Client) => client.setHeaders({ ...headers, 'x-portcullis-session': `bench-${connections}-${load}-${n++}` }) : undefined,
      },
      (error, result) => (error ? reject(error) : resolve({ times, result })),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status < 300) times.push(ms);
    });
  });
}

async function measure(target: Target, load: 'json' | 'sse', connections: number): Promise<Figures> {
  // Counted outside the CPU figures: counting reads every session blob's properties.
  const blocksBefore = await target.blocks?.();
  const before = target.cpu();
  const { times, result } = await run(target, load, connections, duration);
  const after = target.cpu();
  const blocksAfter = await target.blocks?.();
  times.sort((a, b) => a - b);
  const requests = result.requests.total;
  const perRequest = (seconds: number) => (requests === 0 ? NaN : (seconds * 1000) / requests);
  return {
    rps: requests / duration,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    requests,
    failed: result.errors + result.timeouts + result.non2xx,
    cpuMs: perRequest(after.gateway - before.gateway),
    storageCpuMs: after.storage === undefined || before.storage === undefined ? undefined : perRequest(after.storage - before.storage),
    blocksPerRequest: blocksBefore === undefined || blocksAfter === undefined || requests === 0 ? undefined : (blocksAfter - blocksBefore) / requests,
  };
}

/** Append Blocks committed to the session-day blobs in the storage of `connectionString`. */
async function appendBlocks(connectionString: string): Promise<number> {
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(SESSION_CONTAINER);
  let blocks = 0;
  for await (const blob of container.listBlobsFlat()) {
    blocks += (await container.getAppendBlobClient(blob.name).getProperties()).blobCommittedBlockCount ?? 0;
  }
  return blocks;
}

const loadBefore = loadavg()[0]!;
const upstream = await startScript<{ url: string }>('./upstream.ts');
// Where the telemetry variant exports over OTLP: a sink that accepts everything.
const otlp = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
await new Promise<void>((resolve) => otlp.listen(0, '127.0.0.1', resolve));
const children: Array<Pick<Child, 'stop'>> = [upstream, { stop: async () => void otlp.close() }];
const results = new Map<string, Map<string, Figures>>();
/** Each target's figures per load and connection count, round by round. */
const measured = new Map<string, Map<string, Figures[]>>();
const key = (load: string, connections: number) => `${load} ${connections}`;

/**
 * Each gateway is warmed up (JIT, JWKS fetch, session blobs, pooled connections, the telemetry SDK
 * loading) for the same time per load, long enough for its steady state: the optimising compiler
 * works on background threads for the first 20 s or so, and its CPU counts too. A few seconds
 * would favour the gateway with less code to compile.
 */
async function warmUp(target: Target, load: 'json' | 'sse'): Promise<void> {
  await run(target, load, 4, warmupSeconds);
}

/** The middle value (the upper of two), or undefined for none. */
function median(values: number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor(sorted.length / 2)]!;
}

/** Each target's figures for one load and connection count, in every round: median by median. */
function medianFigures(all: Figures[]): Figures {
  const mid = (pick: (f: Figures) => number | undefined) => median(all.map(pick).filter((v): v is number => v !== undefined));
  return {
    rps: mid((f) => f.rps)!,
    p50: mid((f) => f.p50)!,
    p99: mid((f) => f.p99)!,
    requests: all.reduce((n, f) => n + f.requests, 0),
    failed: all.reduce((n, f) => n + f.failed, 0),
    cpuMs: mid((f) => f.cpuMs)!,
    storageCpuMs: mid((f) => f.storageCpuMs),
    blocksPerRequest: mid((f) => f.blocksPerRequest),
  };
}

try {
  const targets: Target[] = [{ name: 'upstream', url: `${upstream.url}/v1/chat/completions`, headers: {}, cpu: () => ({ gateway: upstream.cpu() }) }];
  if (gateways.includes('bare')) {
    const bare = await startScript<{ url: string }>('./bare-proxy.ts', { BENCH_UPSTREAM: upstream.url });
    children.push(bare);
    targets.push({ name: 'bare node:http proxy', url: `${bare.url}/v1/chat/completions`, headers: {}, cpu: () => ({ gateway: bare.cpu() }) });
  }
  if (gateways.includes('portkey')) {
    const portkey = await startPortkey();
    children.push(portkey);
    const headers = { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` };
    targets.push({ name: 'Portkey gateway 1.15.2', url: `${portkey.url}/v1/chat/completions`, headers, cpu: () => ({ gateway: portkey.cpu() }) });
  }
  const portcullis: Array<{ name: string; gateway: string; recording: 'strict' | 'best-effort'; env: Record<string, string> }> = [
    { name: 'Portcullis strict', gateway: 'strict', recording: 'strict', env: {} },
    { name: 'Portcullis best-effort', gateway: 'best-effort', recording: 'best-effort', env: {} },
    {
      name: 'Portcullis strict + OTel',
      gateway: 'telemetry',
      recording: 'strict',
      // Traces sampled at the default share, metrics of every request, both sent over OTLP.
      env: { PORTCULLIS_TELEMETRY: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(otlp.address() as AddressInfo).port}`, OTEL_METRIC_EXPORT_INTERVAL: '5000' },
    },
  ];
  for (const variant of portcullis.filter((v) => gateways.includes(v.gateway))) {
    const stack = await startBenchStack({ upstream: upstream.url, recording: variant.recording, env: variant.env });
    children.push(stack);
    const cpu = () => {
      const { stack: gateway, azurite: storage } = stack.cpu();
      return { gateway, storage };
    };
    const blocks = () => appendBlocks(stack.storage);
    targets.push({ name: variant.name, url: `${stack.gateway}/api/proxy/llm/chat/completions`, headers: { authorization: `Bearer ${stack.tokens[0]}` }, sessions: true, cpu, blocks });
  }

  for (const target of targets) for (const load of loads) await warmUp(target, load);
  for (const target of targets) measured.set(target.name, new Map());
  for (let round = 0; round < rounds; round++) {
    for (const connections of connectionCounts) {
      for (const target of targets) {
        // JSON and SSE back to back: the SSE/JSON ratio compares rows a few seconds apart.
        for (const load of loads) {
          const list = measured.get(target.name)!;
          const at = key(load, connections);
          list.set(at, [...(list.get(at) ?? []), await measure(target, load, connections)]);
        }
      }
    }
  }
  for (const [name, lists] of measured) results.set(name, new Map([...lists].map(([at, all]) => [at, medianFigures(all)])));
} finally {
  await Promise.all(children.map((child) => child.stop().catch(() => undefined)));
}

const base = results.get('upstream')!;
const ms = (value: number) => value.toFixed(2);
console.log(`\nproxy benchmark: ${duration} s per row, medians of ${rounds} rounds, the gateways measured in turn, Portcullis compiled by tsc; a 1 KB chat completion (json) and 50 streamed deltas (sse); latency added over the bare upstream`);
// Figures from a machine busy with other work are not comparable with an idle one's.
console.log(`load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${cpus().length} CPUs`);
for (const load of loads) {
  for (const connections of connectionCounts) {
    const direct = base.get(key(load, connections))!;
    console.log(`\n${load.toUpperCase()}, ${connections} connection${connections > 1 ? 's' : ''}: bare upstream p50 ${ms(direct.p50)} ms, p99 ${ms(direct.p99)} ms, ${direct.rps.toFixed(0)} req/s`);
    console.log(`${'gateway'.padEnd(26)} ${'+p50 ms'.padStart(8)} ${'+p99 ms'.padStart(8)} ${'req/s'.padStart(7)} ${'CPU ms/req'.padStart(11)} ${'storage'.padStart(8)} ${'blocks/req'.padStart(10)} ${'failed'.padStart(7)}`);
    for (const [name, figures] of results) {
      if (name === 'upstream') continue;
      const f = figures.get(key(load, connections))!;
      console.log(
        `${name.padEnd(26)} ${ms(f.p50 - direct.p50).padStart(8)} ${ms(f.p99 - direct.p99).padStart(8)} ${f.rps.toFixed(0).padStart(7)} ${ms(f.cpuMs).padStart(11)} ${(f.storageCpuMs === undefined ? '' : ms(f.storageCpuMs)).padStart(8)} ${(f.blocksPerRequest === undefined ? '' : ms(f.blocksPerRequest)).padStart(10)} ${String(f.failed).padStart(7)}`,
      );
    }
  }
}

// The issue's targets, for each Portcullis variant against Portkey's gateway in this run.
const portkey = results.get('Portkey gateway 1.15.2');
const variants = [...results.keys()].filter((name) => name.startsWith('Portcullis'));
if (portkey && variants.length > 0 && rounds > 1) {
  // This machine's speed drifts between rounds by more than the gaps measured: each round's
  // figures compared with Portkey's of the same round, a few rows apart, and the median ratio.
  console.log('\nagainst Portkey round by round (ours / Portkey; the median, then each round):');
  const upstreamRounds = measured.get('upstream')!;
  const pkRounds = measured.get('Portkey gateway 1.15.2')!;
  const paired = (name: string, at: string, pick: (f: Figures, round: number) => number) => {
    const ours = measured.get(name)!.get(at);
    const theirs = pkRounds.get(at);
    if (!ours || !theirs) return undefined;
    const ratios = ours.map((f, round) => pick(f, round) / pick(theirs[round]!, round));
    return `${median(ratios)!.toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')})`;
  };
  for (const name of variants) {
    const one = key('json', 1);
    const added = (f: Figures, round: number) => f.p50 - upstreamRounds.get(one)![round]!.p50;
    const parts = [
      ['+p50 1 conn', paired(name, one, added)],
      ['CPU 1 conn', paired(name, one, (f) => f.cpuMs)],
      ['req/s 16 conns', paired(name, key('json', 16), (f) => f.rps)],
    ].filter(([, text]) => text !== undefined);
    console.log(`  ${name}: ${parts.map(([label, text]) => `${label} ${text}`).join('; ')}`);
  }
}
if (portkey && variants.length > 0) {
  console.log('\ntargets against Portkey in this run (met / NOT met):');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const name of variants) {
    const ours = results.get(name)!;
    const lines: string[] = [];
    const one = key('json', 1);
    const sixteen = key('json', 16);
    const added = (figures: Map<string, Figures>, at: string) => figures.get(at)!.p50 - base.get(at)!.p50;
    if (ours.has(one)) {
      lines.push(`+p50 1 conn ${ms(added(ours, one))} <= ${ms(added(portkey, one))} ms: ${verdict(added(ours, one) <= added(portkey, one))}`);
      lines.push(`CPU 1 conn ${ms(ours.get(one)!.cpuMs)} <= ${ms(portkey.get(one)!.cpuMs)} ms: ${verdict(ours.get(one)!.cpuMs <= portkey.get(one)!.cpuMs)}`);
    }
    if (ours.has(sixteen)) {
      lines.push(`req/s 16 conns ${ours.get(sixteen)!.rps.toFixed(0)} >= ${portkey.get(sixteen)!.rps.toFixed(0)}: ${verdict(ours.get(sixteen)!.rps >= portkey.get(sixteen)!.rps)}`);
    }
    for (const connections of connectionCounts) {
      const json = ours.get(key('json', connections));
      const sse = ours.get(key('sse', connections));
      if (json && sse) lines.push(`SSE/JSON CPU ${connections} conn ${(sse.cpuMs / json.cpuMs).toFixed(2)}x <= 1.5x: ${verdict(sse.cpuMs <= 1.5 * json.cpuMs)}`);
    }
    console.log(`  ${name}: ${lines.join('; ')}`);
  }
}
