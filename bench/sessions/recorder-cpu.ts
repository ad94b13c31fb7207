// The recorder's own CPU per event, storage stubbed below the SDK: blob and Table clients that
// answer at once, and an Append Block that only counts. The events are shaped like the gateway's
// for an openai chat completion (bench/support/upstream.ts): the request with its masked body and
// a finding, the decision with what a what-if needs, the response with its body, details and
// timings. Each load appends its event alone onto one session's chain; then whole requests are
// appended as the gateway does (request and decision, then response). Prints µs of CPU per event
// and per request, the median of 5 runs.
//   BENCH_EVENTS (20000)
import type { TableClient } from '@azure/data-tables';
import type { AppendBlobClient, BlobServiceClient } from '@azure/storage-blob';
import { memoryLogger } from '../../shared/platform/log.js';
import { createRecorder, type EventInput } from '../../shared/sessions/index.js';
import { completion } from '../support/chat-answer.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RUNS = 5;

/** A blob container where every blob is absent until created and appends cost nothing. */
function stubBlobs(): BlobServiceClient {
  const created = new Set<string>();
  const blob = (name: string) =>
    ({
      name,
      url: `http://storage.invalid/sessions/${name}`,
      getProperties: async () => {
        if (!created.has(name)) throw Object.assign(new Error('absent'), { statusCode: 404 });
        return { contentLength: 0, blobCommittedBlockCount: 0 };
      },
      create: async () => void created.add(name),
    }) as unknown as AppendBlobClient;
  const container = { listBlobsFlat: async function* () {}, getAppendBlobClient: blob };
  return { getContainerClient: () => container } as unknown as BlobServiceClient;
}

const stubTable = (() => ({ createTable: async () => undefined, upsertEntity: async () => undefined, createEntity: async () => undefined })) as unknown as (
  name: string,
) => TableClient;

const prompt = JSON.stringify({
  model: 'gpt-bench',
  messages: [{ role: 'user', content: 'Summarise the release notes of the last version in three lines. My key is [MASKED:generic-api-key]' }],
});

function events(sessionId: string, requestId: string): Record<'request' | 'decision' | 'response', EventInput> {
  const base = {
    sessionId,
    requestId,
    principal: { subject: 'bench-agent', issuer: 'https://issuer.example', groups: ['agents'] },
    connection: 'llm',
    operation: { kind: 'openai', summary: 'chat.completions gpt-bench', actions: ['chat'], resources: ['model:gpt-bench'], flags: [] },
  };
  return {
    request: {
      ...base,
      type: 'request',
      payload: { body: prompt, bytes: Buffer.byteLength(prompt) + 20, contentType: 'application/json' },
      findings: [{ rule: 'generic-api-key', location: '$.messages[0].content:89', length: 32, hash: '1f2e3d4c' }],
    },
    decision: {
      ...base,
      type: 'decision',
      principal: { ...base.principal, kind: 'workload', claims: { sub: 'bench-agent', aud: 'portcullis', roles: ['agent', 'reader'] } },
      operation: {
        ...base.operation,
        method: 'POST',
        path: '/chat/completions',
        query: '',
        headers: { 'content-type': 'application/json', 'user-agent': 'bench/1.0' },
        text: prompt,
        masked: ['text'],
      },
      decision: { action: 'allow', rule: 'agents-chat', reason: 'Agents may chat with the model' },
      details: { model: 'gpt-bench', stream: false },
    },
    response: {
      ...base,
      type: 'response',
      payload: { body: completion, bytes: Buffer.byteLength(completion), contentType: 'application/json', status: 200 },
      findings: [],
      details: { model: 'gpt-bench', stream: false, promptTokens: 12, completionTokens: 100, totalTokens: 112, finishReason: 'stop' },
      timings: { upstreamMs: 0.6, totalMs: 1.4 },
    },
  };
}

const recorder = createRecorder({
  blobs: stubBlobs(),
  table: stubTable,
  maxPayloadBytes: 65_536,
  log: memoryLogger(),
  appendBlock: async () => ({ blocks: undefined }),
});

const shapes = events('bench-recorder', 'r-0');
let request = 0;
async function append(type: 'request' | 'decision' | 'response', count: number): Promise<number> {
  const batches = Array.from({ length: count }, () => [{ ...shapes[type], requestId: `r-${(request += 1)}` }]);
  const used = process.cpuUsage();
  for (const batch of batches) await recorder.append(batch);
  const spent = process.cpuUsage(used);
  return (spent.user + spent.system) / count;
}

/** A gateway request: its request and decision in one append, its response in the next. */
async function requests(count: number): Promise<number> {
  const appends = Array.from({ length: count }, () => {
    const requestId = `r-${(request += 1)}`;
    return [[{ ...shapes.request, requestId }, { ...shapes.decision, requestId }], [{ ...shapes.response, requestId }]];
  });
  const used = process.cpuUsage();
  for (const [first, second] of appends) {
    await recorder.append(first!);
    await recorder.append(second!);
  }
  const spent = process.cpuUsage(used);
  return (spent.user + spent.system) / count;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`recorder CPU per event, storage stubbed, ${EVENTS} events per run, median of ${RUNS} runs`);
for (const type of ['request', 'decision', 'response'] as const) {
  await append(type, EVENTS); // warm up
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) runs.push(await append(type, EVENTS));
  console.log(`  ${type.padEnd(8)}: ${median(runs).toFixed(1)} µs (runs ${runs.map((r) => r.toFixed(1)).join(', ')})`);
}
await requests(EVENTS / 2);
const runs: number[] = [];
for (let run = 0; run < RUNS; run++) runs.push(await requests(EVENTS / 2));
console.log(`  per gateway request (request + decision, then response): ${median(runs).toFixed(1)} µs (runs ${runs.map((r) => r.toFixed(1)).join(', ')})`);
