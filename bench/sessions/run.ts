// Session-log load test: 50 concurrent agents, 200 requests each (every fifth one denied),
// through the gateway on the local stack. Afterwards every request's events must be in its
// session's log and every chain must verify. Prints the counts and the throughput.
import { blobServiceClient, tableClient } from '../../shared/platform/azure.js';
import { readSession } from '../../shared/sessions/index.js';
import { startBenchStack } from '../support/child.js';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);

const stack = await startBenchStack({ agents: AGENTS });
const statuses = new Map<number, number>();
let resets = 0;
const expected = new Map<string, Map<string, string[]>>();

const started = performance.now();
await Promise.all(
  stack.tokens.map(async (token, agent) => {
    const session = `load-${agent}`;
    const requests = new Map<string, string[]>();
    expected.set(session, requests);
    for (let i = 0; i < REQUESTS; i++) {
      const denied = i % 5 === 4;
      const url = `${stack.gateway}/api/proxy/bench/${denied ? 'admin/x' : `items/${i}`}`;
      const init = { headers: { authorization: `Bearer ${token}`, 'x-portcullis-session': session } };
      // A kept-alive connection the server closed just as it was reused is reset before the request
      // is read; a client sends it again, once.
      const res = await fetch(url, init).catch(async (error: unknown) => {
        if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
        resets += 1;
        return fetch(url, init);
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      requests.set(res.headers.get('x-request-id') ?? `missing-${agent}-${i}`, denied ? ['request', 'decision'] : ['request', 'decision', 'response']);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const total = AGENTS * REQUESTS;

const storage = { kind: 'connectionString', connectionString: stack.storage } as const;
const noCredential = { getToken: async () => null };
const stores = { blobs: blobServiceClient(storage, noCredential), table: (name: string) => tableClient(storage, noCredential, name) };
let verified = 0;
let events = 0;
let missing = 0;
let unexpected = 0;
for (const [session, requests] of expected) {
  const record = await readSession(stores, session);
  if (!record) {
    missing += [...requests.values()].reduce((n, types) => n + types.length, 0);
    continue;
  }
  if (record.verified) verified++;
  events += record.events.length;
  const seen = new Map<string, string[]>();
  for (const event of record.events) {
    if (event.type === 'session.start' || event.type === 'session.end') continue;
    seen.set(event.requestId, [...(seen.get(event.requestId) ?? []), event.type]);
  }
  for (const [requestId, types] of requests) {
    const got = seen.get(requestId) ?? [];
    if (got.join() !== types.join()) missing += types.filter((t) => !got.includes(t)).length;
    seen.delete(requestId);
  }
  unexpected += seen.size;
}

console.log(`\nsession-log load test: ${AGENTS} agents x ${REQUESTS} requests through the gateway`);
console.log(`requests          ${total} in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(0)} req/s`);
console.log(`connection resets ${resets} (sent again)`);
console.log(`statuses          ${[...statuses].sort().map(([s, n]) => `${s}: ${n}`).join(', ')}`);
console.log(`events in logs    ${events} (${AGENTS} sessions)`);
console.log(`chains verified   ${verified} of ${AGENTS}`);
console.log(`missing events    ${missing}`);
console.log(`unexpected events ${unexpected}`);
console.log(`peak RSS          gateway process ${(stack.peakRss() / 2 ** 20).toFixed(0)} MiB`);
await stack.stop();
process.exitCode = verified === AGENTS && missing === 0 && unexpected === 0 ? 0 : 1;
