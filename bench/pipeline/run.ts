// The gateway pipeline alone, in this process: identify → classify → decide → forward → mask →
// record → respond for an openai connection, the recorder a no-op and no HTTP host in front, to the
// proxy benchmark's upstream in its own process. It prints the CPU per request of the pipeline's
// own code (what the proxy benchmark's figure holds besides the host's HTTP and the appends), for
// a JSON answer and the same answer streamed as 50 deltas.
//   BENCH_REQUESTS (3000)  BENCH_LOADS (json,sse)
import { HttpRequest, InvocationContext } from '../../shared/platform/azure-functions.js';
import { handle, type GatewayDeps } from '../../shared/gateway/pipeline.js';
import type { Principal } from '../../shared/identity/index.js';
import { createMasker } from '../../shared/masking/index.js';
import { memoryLogger } from '../../shared/platform/log.js';
import { loadPolicy } from '../../shared/policy/load.js';
import { startScript } from '../support/child.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 3000);
const upstream = await startScript<{ url: string }>('../support/upstream.ts');
try {
  const loaded = loadPolicy(
    `version: 1
issuers:
  - { issuer: "https://issuer.example", audience: portcullis, jwksUri: "https://issuer.example/jwks" }
connections:
  llm: { kind: openai, upstream: "${upstream.url}/v1" }
rules:
  - { name: agents-chat, match: { connections: llm }, action: allow }
`,
    { env: 'development', variables: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const state = { policy: loaded.policy, verifier: undefined as never, masker: createMasker(loaded.policy.masking) };
  const principal: Principal = { subject: 'bench-agent', issuer: 'https://issuer.example', groups: ['agents'], claims: { sub: 'bench-agent' }, kind: 'workload' };
  const deps: GatewayDeps = {
    config: { maxBodyBytes: 1_000_000, recordMaxPayloadBytes: 65_536, upstreamTimeoutMs: 10_000, publicUrl: 'http://gateway.example', inspectionBudgetMs: 10_000 },
    log: memoryLogger(),
    recorder: { failures: 0, claim: async () => undefined, owns: () => true, append: async () => undefined, settle: async () => undefined },
    credentials: { resolve: async () => '' },
    identify: async () => ({ principal, state }),
    current: async () => state,
    hold: async () => ({ status: 202 }),
  };
  const prompt = { model: 'gpt-bench', messages: [{ role: 'user', content: 'Summarise the release notes of the last version in three lines.' }] };
  const call = async (stream: boolean) => {
    const response = await handle(
      deps,
      'proxy',
      new HttpRequest({
        method: 'POST',
        url: 'http://gateway.example/api/proxy/llm/chat/completions',
        headers: { authorization: 'Bearer bench', 'content-type': 'application/json', 'x-portcullis-session': 'bench-pipeline' },
        body: { string: JSON.stringify({ ...prompt, stream }) },
        params: { connection: 'llm' },
      }),
      new InvocationContext(),
    );
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    // A streamed answer is read to its end, as the host would send it.
    if (response.body instanceof ReadableStream) for await (const _ of response.body as ReadableStream<Uint8Array>);
  };
  console.log(`pipeline in process (no HTTP host, no storage), ${requests} requests each, after as many to warm up`);
  for (const stream of (process.env.BENCH_LOADS ?? 'json,sse').split(',').map((load) => load === 'sse')) {
    for (let i = 0; i < requests; i++) await call(stream);
    const used = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < requests; i++) await call(stream);
    const spent = process.cpuUsage(used);
    console.log(`  ${stream ? 'SSE ' : 'JSON'}: ${((spent.user + spent.system) / 1000 / requests).toFixed(3)} ms CPU per request, ${((performance.now() - start) / requests).toFixed(3)} ms wall`);
  }
} finally {
  await upstream.stop();
}
