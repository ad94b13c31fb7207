import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { createSessionBlob } from '../../../shared/sessions/chain-writer.js';
import {
  blobPath,
  createRecorder,
  dayOf,
  EVENTS_NOT_RECORDED,
  RecordingError,
  SESSION_CONTAINER,
  sessionEventSchema,
  verifyChain,
  type EventInput,
  type SessionEvent,
} from '../../../shared/sessions/index.js';
import { blobClient, requestEvents, tableClients, uniqueId, type Intercept } from './helpers.js';

let azurite: Azurite;

before(async () => {
  azurite = await startAzurite();
});

after(async () => {
  await azurite?.stop();
});

function recorder(options: { blobs?: BlobServiceClient; maxPayloadBytes?: number; now?: () => Date; maxQueuedBytes?: number; timeoutMs?: number } = {}) {
  const log = memoryLogger();
  const instance = createRecorder({
    blobs: options.blobs ?? blobClient(azurite),
    table: tableClients(azurite),
    maxPayloadBytes: options.maxPayloadBytes ?? 16 * 1024,
    log,
    now: options.now,
    maxQueuedBytes: options.maxQueuedBytes,
    timeoutMs: options.timeoutMs,
  });
  return Object.assign(instance, { log });
}

async function readBlob(sessionId: string, day = dayOf(new Date())): Promise<string[]> {
  const bytes = await blobClient(azurite).getContainerClient(SESSION_CONTAINER).getBlobClient(blobPath(day, sessionId)).downloadToBuffer();
  const text = bytes.toString('utf8');
  assert.ok(text.endsWith('\n'), 'the blob ends with a newline');
  return text.slice(0, -1).split('\n');
}

const parse = (lines: string[]): SessionEvent[] => lines.map((line) => sessionEventSchema.parse(JSON.parse(line)));

/** Counts requests by kind and answer, and can change what a request does. */
function spy(change?: (request: WebResource, next: RequestPolicy) => Promise<HttpOperationResponse | undefined>) {
  const seen: Array<{ method: string; path: string; query: string; ifNoneMatch?: string; appendPosition?: string; status: number }> = [];
  const intercept: Intercept = async (request, next) => {
    const url = new URL(request.url);
    const note = (status: number) =>
      seen.push({
        method: request.method,
        path: url.pathname,
        query: url.search,
        ifNoneMatch: request.headers.get('if-none-match'),
        appendPosition: request.headers.get('x-ms-blob-condition-appendpos'),
        status,
      });
    try {
      const response = (await change?.(request, next)) ?? (await next.sendRequest(request));
      note(response.status);
      return response;
    } catch (error) {
      note((error as { statusCode?: number }).statusCode ?? 0); // the SDK throws on error answers
      throw error;
    }
  };
  return { seen, intercept };
}
type WebResource = Parameters<Intercept>[0];
type RequestPolicy = Parameters<Intercept>[1];
type HttpOperationResponse = Awaited<ReturnType<Intercept>>;

describe('recorder', () => {
  it('opens a session-day with session.start and chains every event after it', async () => {
    const sessionId = uniqueId('basic');
    await recorder().append(requestEvents(sessionId, 'r1'));
    const lines = await readBlob(sessionId);
    const events = parse(lines);
    assert.deepEqual(events.map((e) => e.type), ['session.start', 'request', 'decision', 'response']);
    assert.deepEqual(events.map((e) => e.seq), [0, 1, 2, 3]);
    assert.equal(events[0]!.principal?.subject, 'agent-1');
    assert.equal(events[0]!.requestId, 'r1');
    assert.deepEqual(verifyChain(lines, { sessionId, day: dayOf(new Date()) }), []);
  });

  it("keeps one session's events in order when many of its requests append at once, in few blocks", async () => {
    const sessionId = uniqueId('busy');
    const requests = spy();
    const r = recorder({ blobs: blobClient(azurite, requests.intercept) });
    await Promise.all(Array.from({ length: 200 }, (_, i) => r.append(requestEvents(sessionId, `r${i}`))));
    const lines = await readBlob(sessionId);
    assert.deepEqual(verifyChain(lines, { sessionId, day: dayOf(new Date()) }), []);
    const events = parse(lines).slice(1);
    assert.equal(events.length, 600);
    assert.deepEqual(
      events.map((e) => `${e.requestId}:${e.type}`),
      Array.from({ length: 200 }, (_, i) => [`r${i}:request`, `r${i}:decision`, `r${i}:response`]).flat(),
    );
    const appends = requests.seen.filter((s) => s.query.includes('comp=appendblock')).length;
    assert.ok(appends < 20, `queued events share blocks (${appends} appends for 200 requests)`);
  });

  it('lets two instances append to one session at once without losing, duplicating or forking a line', async () => {
    const sessionId = uniqueId('shared');
    const requests = spy();
    const one = recorder({ blobs: blobClient(azurite, requests.intercept) });
    const two = recorder({ blobs: blobClient(azurite, requests.intercept) });
    for (let wave = 0; wave < 30; wave += 1) {
      await Promise.all([
        one.append(requestEvents(sessionId, `one-${wave}-a`)),
        two.append(requestEvents(sessionId, `two-${wave}-a`)),
        one.append(requestEvents(sessionId, `one-${wave}-b`)),
        two.append(requestEvents(sessionId, `two-${wave}-b`)),
      ]);
    }
    const lines = await readBlob(sessionId);
    assert.deepEqual(verifyChain(lines, { sessionId, day: dayOf(new Date()) }), []);
    const events = parse(lines);
    assert.equal(events.filter((e) => e.type === 'session.start').length, 1);
    const order = (prefix: string) =>
      events.filter((e) => e.type !== 'session.start' && e.requestId.startsWith(prefix)).map((e) => `${e.requestId}:${e.type}`);
    for (const prefix of ['one-', 'two-']) {
      const expected = Array.from({ length: 30 }, (_, w) => [`${prefix}${w}-a`, `${prefix}${w}-b`])
        .flat()
        .flatMap((id) => [`${id}:request`, `${id}:decision`, `${id}:response`]);
      assert.deepEqual(order(prefix), expected, `${prefix} events, each once and in order`);
    }
    assert.ok(requests.seen.some((s) => s.status === 412), 'the instances did contend');
  });

  it('does not write a block twice when the answer to an append that landed was lost', async () => {
    const sessionId = uniqueId('lost');
    let lose = true;
    // The first append reaches storage, its answer is lost and the SDK sends it again: 412.
    const flaky = spy(async (request, next) => {
      if (!lose || !request.url.includes('comp=appendblock')) return undefined;
      lose = false;
      await next.sendRequest(request);
      return next.sendRequest(request);
    });
    const r = recorder({ blobs: blobClient(azurite, flaky.intercept) });
    await r.append(requestEvents(sessionId, 'r1'));
    await r.append(requestEvents(sessionId, 'r2'));
    assert.ok(flaky.seen.some((s) => s.status === 412));
    const lines = await readBlob(sessionId);
    assert.deepEqual(verifyChain(lines, { sessionId, day: dayOf(new Date()) }), []);
    assert.deepEqual(parse(lines).map((e) => `${e.requestId}:${e.type}`), [
      'r1:session.start', 'r1:request', 'r1:decision', 'r1:response', 'r2:request', 'r2:decision', 'r2:response',
    ]);
  });

  it('only creates blobs if absent and appends at a known position: no delete, no overwrite', async () => {
    const sessionId = uniqueId('writes');
    const requests = spy();
    const r = recorder({ blobs: blobClient(azurite, requests.intercept) });
    assert.deepEqual(Object.keys(r).filter((k) => k !== 'log').sort(), ['append', 'claim', 'failures', 'owns', 'settle']);
    for (let i = 0; i < 3; i += 1) await r.append(requestEvents(sessionId, `r${i}`));
    const writes = requests.seen.filter((s) => s.method !== 'GET' && s.method !== 'HEAD' && s.path.includes(`/${SESSION_CONTAINER}/`));
    assert.ok(writes.length > 0);
    for (const write of writes) {
      const create = write.method === 'PUT' && write.query === '' && write.ifNoneMatch === '*';
      const append = write.method === 'PUT' && write.query.includes('comp=appendblock') && write.appendPosition !== undefined;
      assert.ok(create || append, `${write.method} ${write.path}${write.query} is a conditional create or append`);
    }

    const container = blobClient(azurite).getContainerClient(SESSION_CONTAINER);
    const path = blobPath(dayOf(new Date()), sessionId);
    const before = await container.getBlobClient(path).downloadToBuffer();
    assert.equal(await createSessionBlob(container.getAppendBlobClient(path)), false);
    await assert.rejects(
      container.getBlockBlobClient(path).upload('overwritten\n', 12, { conditions: { ifNoneMatch: '*' } }),
      (error: { statusCode?: number }) => error.statusCode === 409,
    );
    assert.deepEqual(await container.getBlobClient(path).downloadToBuffer(), before);
  });

  it('rejects with a RecordingError, logs and counts it, when storage is unreachable', async () => {
    const r = recorder({ blobs: blobClient({ blobEndpoint: 'http://127.0.0.1:1/devstoreaccount1' }) });
    const secret = 'sk-live-THIS-MUST-NOT-BE-LOGGED';
    await assert.rejects(r.append(requestEvents('down-1', 'r1', { body: secret })), RecordingError);
    await assert.rejects(r.append(requestEvents('down-1', 'r2')), RecordingError);
    assert.equal(r.failures, 2);
    assert.equal(r.log.lines.length, 2);
    assert.equal(r.log.lines[0]!.message, 'session events not recorded');
    assert.equal(r.log.lines[0]!.sessions, 'down-1');
    assert.ok(!JSON.stringify(r.log.lines).includes(secret));
  });

  it('holds a bounded amount for storage that hangs, refuses more at once, and writes where the session lost events', async () => {
    const sessionId = uniqueId('behind');
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const r = recorder({ blobs: blobClient(azurite, async (request, next) => (await opened, next.sendRequest(request))), maxQueuedBytes: 8 * 1024, timeoutMs: 100 });
    const body = 'x'.repeat(1000);
    // The first request's events wait for storage past the time the caller waits: still held.
    await assert.rejects(r.append(requestEvents(sessionId, 'r0', { body })), /no answer|did not answer|within|silent|time/i);
    let refused = 0;
    for (let i = 1; i <= 20; i++) {
      const started = performance.now();
      const outcome = await r.append(requestEvents(sessionId, `r${i}`, { body })).then(() => 'written', (error: Error) => error.message);
      if (/behind/.test(outcome)) {
        refused++;
        assert.ok(performance.now() - started < 50, 'refused at once, not after waiting on storage');
      }
    }
    assert.ok(refused >= 10, `${refused} of 20 refused`);
    open();
    await r.settle();
    await r.append(requestEvents(sessionId, 'after'));
    const lines = await readBlob(sessionId);
    const events = parse(lines);
    const gap = events.find((e) => e.type === 'error');
    assert.equal(gap?.error?.type, EVENTS_NOT_RECORDED);
    assert.equal(gap?.requestId, 'after');
    assert.match(gap!.error!.detail, new RegExp(`^${refused * 3} events`));
    assert.deepEqual(events.slice(-4).map((e) => e.type), ['error', 'request', 'decision', 'response']);
    // What was held is written, in order (r0, those not refused, then 'after'), and what was refused is not.
    assert.equal(events.filter((e) => e.type === 'request').length, 22 - refused);
    assert.deepEqual(verifyChain(lines, { sessionId, day: dayOf(new Date()) }), []);
  });

  it('says, with the session\'s next events written, how many a failed write lost', async () => {
    const sessionId = uniqueId('lost');
    let failing = true;
    const blobs = blobClient(azurite, async (request, next) => {
      if (failing && request.method === 'PUT' && new URL(request.url).search.includes('appendblock')) throw Object.assign(new Error('injected failure'), { statusCode: 500 });
      return next.sendRequest(request);
    });
    const r = recorder({ blobs });
    await assert.rejects(r.append(requestEvents(sessionId, 'r1')), RecordingError);
    failing = false;
    await r.append(requestEvents(sessionId, 'r2'));
    const events = parse(await readBlob(sessionId));
    assert.deepEqual(events.map((e) => e.type), ['session.start', 'error', 'request', 'decision', 'response']);
    assert.equal(events[1]!.error?.type, EVENTS_NOT_RECORDED);
    assert.match(events[1]!.error!.detail, /^3 events of this session were not recorded/);
  });

  it('refuses to chain onto a blob whose last line is not a sound event', async () => {
    const sessionId = uniqueId('corrupt');
    const r = recorder();
    await r.append(requestEvents(sessionId, 'r1'));
    const blob = blobClient(azurite).getContainerClient(SESSION_CONTAINER).getAppendBlobClient(blobPath(dayOf(new Date()), sessionId));
    await blob.appendBlock('{"not":"an event"}\n', 19);
    await assert.rejects(r.append(requestEvents(sessionId, 'r2')), /cannot continue .*not an event of session/);
    await assert.rejects(recorder().append(requestEvents(sessionId, 'r3')), RecordingError);
    assert.equal(r.failures, 1);
  });

  it('refuses an invalid event on its own, without failing the events queued with it', async () => {
    const sessionId = uniqueId('invalid');
    const r = recorder();
    const invalid = { type: 'decision', sessionId, requestId: 'bad' } as EventInput; // no decision
    const results = await Promise.allSettled([
      r.append(requestEvents(sessionId, 'r1')),
      r.append([invalid]),
      r.append([{ type: 'session.start', sessionId, requestId: 'forged' } as unknown as EventInput]),
      r.append(requestEvents(sessionId, 'r2')),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /decision event of request bad is invalid: decision: /);
    assert.equal(parse(await readBlob(sessionId)).length, 7);
  });

  it('refuses on its own an event of no known type, one naming no valid session, one holding a number JSON cannot, and a line too large for a block', async () => {
    const sessionId = uniqueId('refused');
    const r = recorder({ maxPayloadBytes: 8 * 1024 * 1024 });
    const request = requestEvents(sessionId, 'r1')[0]!;
    const huge = 'x'.repeat(4 * 1024 * 1024);
    const results = await Promise.allSettled([
      r.append(requestEvents(sessionId, 'r1')),
      r.append([{ ...request, requestId: 'odd', type: 'bogus' } as unknown as EventInput]),
      r.append([{ ...request, requestId: 'elsewhere', sessionId: '../other' }]),
      r.append([{ ...request, requestId: 'infinite', details: { tokens: Number.POSITIVE_INFINITY } }]),
      r.append([{ ...request, requestId: 'huge', payload: { body: huge, bytes: huge.length } }]),
      r.append(requestEvents(sessionId, 'r2')),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    const reasons = results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason as Error);
    assert.ok(reasons.every((reason) => reason instanceof RecordingError));
    assert.match(reasons[0]!.message, /^bogus event of request odd is invalid: type: /);
    assert.match(reasons[1]!.message, /^request event of request elsewhere is invalid: sessionId: /);
    assert.match(reasons[2]!.message, /^request event of request infinite is invalid: /);
    assert.match(reasons[3]!.message, /^request event of request huge is larger than a log line may be/);
    const lines = await readBlob(sessionId);
    assert.deepEqual(parse(lines).map((e) => e.requestId), ['r1', 'r1', 'r1', 'r1', 'r2', 'r2', 'r2']);
    assert.deepEqual(verifyChain(lines, { sessionId, day: dayOf(new Date()) }), []);
  });

  it('writes only the members the log defines, whatever else an event object carries', async () => {
    const sessionId = uniqueId('members');
    const request = requestEvents(sessionId, 'r1')[0]!;
    await recorder().append([Object.assign({}, request, { internal: 'not for the log', seq: 99, hash: 'f'.repeat(64) })]);
    const lines = await readBlob(sessionId);
    const events = parse(lines);
    assert.deepEqual(events.map((e) => [e.type, e.seq]), [['session.start', 0], ['request', 1]]);
    assert.ok(!lines[1]!.includes('not for the log'));
    assert.deepEqual(verifyChain(lines, { sessionId, day: dayOf(new Date()) }), []);
  });

  it('truncates payloads at the configured size and keeps their original byte count', async () => {
    const sessionId = uniqueId('big');
    await recorder({ maxPayloadBytes: 8 }).append(requestEvents(sessionId, 'r1', { body: 'x'.repeat(100) }));
    const request = parse(await readBlob(sessionId))[1]!;
    assert.deepEqual(request.payload, { body: 'xxxxxxxx', bytes: 100, truncated: true, contentType: 'application/json' });
  });

  it('lists at most 1000 findings of an event and counts the rest', async () => {
    const sessionId = uniqueId('findings');
    const findings = Array.from({ length: 1003 }, (_, i) => ({ rule: 'aws-key', location: `offset:${i}`, length: 20, hash: 'a1b2c3d4' }));
    await recorder().append([{ ...requestEvents(sessionId, 'r1')[2]!, findings }]);
    const response = parse(await readBlob(sessionId))[1]!;
    assert.equal(response.findings?.length, 1000);
    assert.equal(response.findingsOmitted, 3);
  });

  it('reopens a session after session.end with a fresh session.start, on the same chain', async () => {
    const sessionId = uniqueId('reopen');
    const r = recorder();
    await r.append([...requestEvents(sessionId, 'r1'), { type: 'session.end', sessionId, requestId: 'r1' }]);
    await r.append(requestEvents(sessionId, 'r2'));
    const lines = await readBlob(sessionId);
    const events = parse(lines);
    assert.deepEqual(events.slice(4, 7).map((e) => e.type), ['session.end', 'session.start', 'request']);
    assert.deepEqual(events[5]!.details, { reopened: true });
    assert.deepEqual(verifyChain(lines, { sessionId, day: dayOf(new Date()) }), []);
  });

  it('writes events on either side of midnight to their own day, each day with its own genesis', async () => {
    const sessionId = uniqueId('midnight');
    const times = ['2025-05-31T23:59:59.998Z', '2025-05-31T23:59:59.999Z', '2025-06-01T00:00:00.000Z'];
    let i = 0;
    await recorder({ now: () => new Date(times[Math.min(i++, 2)]!) }).append(requestEvents(sessionId, 'r1'));
    const first = await readBlob(sessionId, '2025-05-31');
    const second = await readBlob(sessionId, '2025-06-01');
    assert.deepEqual(parse(first).map((e) => e.type), ['session.start', 'request', 'decision']);
    assert.deepEqual(parse(second).map((e) => e.type), ['session.start', 'response']);
    assert.deepEqual(verifyChain(first, { sessionId, day: '2025-05-31' }), []);
    assert.deepEqual(verifyChain(second, { sessionId, day: '2025-06-01' }), []);
  });
});
