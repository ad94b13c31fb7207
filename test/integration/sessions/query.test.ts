import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { Refusal } from '../../../shared/platform/problem.js';
import {
  blobPath,
  createRecorder,
  queryDecisions,
  querySessions,
  readSession,
  SESSION_CONTAINER,
  type SessionFilter,
  type SessionStores,
} from '../../../shared/sessions/index.js';
import { blobClient, requestEvents, stores as storesOf, uniqueId } from './helpers.js';

let azurite: Azurite;
let stores: SessionStores;
const ids: Record<string, string> = {};
const ISSUER_A = 'https://idp.example.com';
const ISSUER_B = 'https://tenant.auth0.com/';

// Six sessions on six days, newest last.
const sessions = [
  { name: 's1', day: '2025-01-10', subject: 'alice', issuer: ISSUER_A, connection: 'orders-api', action: 'allow' },
  { name: 's2', day: '2025-01-11', subject: 'alice', issuer: ISSUER_A, connection: 'billing-db', action: 'deny' },
  { name: 's3', day: '2025-01-12', subject: 'bob', issuer: ISSUER_A, connection: 'orders-api', action: 'review' },
  { name: 's4', day: '2025-01-13', subject: 'auth0|carol', issuer: ISSUER_B, connection: 'orders-api', action: 'deny' },
  { name: 's5', day: '2025-01-14', subject: 'alice', issuer: ISSUER_B, connection: 'orders-api', action: 'allow' },
  { name: 's6', day: '2025-01-15', subject: 'bob', issuer: ISSUER_A, connection: 'orders-api', action: 'allow' },
] as const;

before(async () => {
  azurite = await startAzurite();
  stores = storesOf(azurite);
  for (const s of sessions) {
    ids[s.name] = uniqueId(s.name);
    let tick = Date.parse(`${s.day}T12:00:00.000Z`);
    const recorder = createRecorder({ ...stores, maxPayloadBytes: 1024, log: memoryLogger(), now: () => new Date(tick++) });
    await recorder.append(requestEvents(ids[s.name]!, `${s.name}-r1`, s));
  }
});

after(async () => {
  await azurite?.stop();
});

const names = (items: Array<{ sessionId: string }>) => items.map((item) => item.sessionId.split('-')[0]);
const find = async (filter: SessionFilter) => names((await querySessions(stores, filter, { limit: 100 })).items);

const refusedWith = (type: string) => (error: unknown) => error instanceof Refusal && error.status === 400 && error.type === type;

describe('querySessions', () => {
  it('lists every session newest first', async () => {
    assert.deepEqual(await find({}), ['s6', 's5', 's4', 's3', 's2', 's1']);
  });

  it('finds sessions by subject, or by issuer|subject', async () => {
    assert.deepEqual(await find({ principal: 'alice' }), ['s5', 's2', 's1']);
    assert.deepEqual(await find({ principal: `${ISSUER_A}|alice` }), ['s2', 's1']);
    assert.deepEqual(await find({ principal: 'auth0|carol' }), ['s4']);
    assert.deepEqual(await find({ principal: `${ISSUER_B}|auth0|carol` }), ['s4']);
    assert.deepEqual(await find({ principal: `${ISSUER_A}|auth0|carol` }), []);
  });

  it('finds sessions by connection, by decision, and by both', async () => {
    assert.deepEqual(await find({ connection: 'orders-api' }), ['s6', 's5', 's4', 's3', 's1']);
    assert.deepEqual(await find({ decision: 'deny' }), ['s4', 's2']);
    assert.deepEqual(await find({ decision: 'review' }), ['s3']);
    assert.deepEqual(await find({ connection: 'orders-api', decision: 'deny' }), ['s4']);
    assert.deepEqual(await find({ principal: 'alice', connection: 'billing-db' }), ['s2']);
  });

  it('limits to a time range, days and instants both included', async () => {
    assert.deepEqual(await find({ from: '2025-01-12', to: '2025-01-14' }), ['s5', 's4', 's3']);
    assert.deepEqual(await find({ from: '2025-01-12T12:00:00.000Z', to: '2025-01-12T12:00:00.000Z' }), ['s3']);
    assert.deepEqual(await find({ from: '2025-01-12T12:00:00.001Z', to: '2025-01-13T12:00:00Z' }), ['s4']);
    assert.deepEqual(await find({ principal: 'alice', to: '2025-01-10' }), ['s1']);
    assert.deepEqual(await find({ from: '', to: '' }), ['s6', 's5', 's4', 's3', 's2', 's1']);
  });

  it('describes each session with its principal, connection and flags', async () => {
    const [item] = (await querySessions(stores, { principal: 'auth0|carol' }, {})).items;
    assert.deepEqual(item, {
      sessionId: ids.s4,
      day: '2025-01-13',
      started: '2025-01-13T12:00:00.000Z',
      principal: { subject: 'auth0|carol', issuer: ISSUER_B },
      connection: 'orders-api',
      deny: true,
      review: false,
    });
  });

  it('pages with an opaque continuation, without gaps or repeats', async () => {
    const seen: string[] = [];
    let continuation: string | undefined;
    let pages = 0;
    do {
      const page = await querySessions(stores, {}, { limit: '2', continuation });
      assert.ok(page.items.length <= 2);
      seen.push(...names(page.items));
      continuation = page.continuation;
      pages += 1;
    } while (continuation);
    assert.deepEqual(seen, ['s6', 's5', 's4', 's3', 's2', 's1']);
    assert.ok(pages >= 3);
  });

  it('refuses a continuation from another query, or a made-up one, with a 400', async () => {
    const { continuation } = await querySessions(stores, {}, { limit: 1 });
    assert.ok(continuation);
    await assert.rejects(querySessions(stores, { connection: 'orders-api' }, { continuation }), refusedWith('invalid-continuation'));
    await assert.rejects(querySessions(stores, {}, { continuation: 'bm9wZQ' }), refusedWith('invalid-continuation'));
  });

  it('refuses bad filters with a 400 that names them', async () => {
    const cases: Array<[SessionFilter, Record<string, unknown>, RegExp]> = [
      [{ decision: 'allow' as 'deny' }, {}, /^decision: /],
      [{ from: '2025-13-01' }, {}, /^from: must be YYYY-MM-DD or an ISO date-time/],
      [{ from: '2025-01-12', to: '2025-01-11' }, {}, /from is after to/],
      [{}, { limit: 0 }, /^limit: /],
      [{}, { limit: 201 }, /^limit: /],
      [{}, { limit: 'ten' }, /^limit: /],
    ];
    for (const [filter, page, detail] of cases) {
      await assert.rejects(
        querySessions(stores, filter, page),
        (error: unknown) => refusedWith('invalid-query')(error) && detail.test((error as Refusal).detail),
        JSON.stringify([filter, page]),
      );
    }
  });

  it('answers an empty page before anything was recorded', async () => {
    const empty = { ...stores, table: (name: string) => stores.table(`none${name}`) };
    assert.deepEqual(await querySessions(empty, { principal: 'alice' }, {}), { items: [] });
  });
});

describe('queryDecisions', () => {
  it('lists decisions to deny, newest first, with rule, reason and what was asked', async () => {
    const { items } = await queryDecisions(stores, { decision: 'deny' }, {});
    assert.deepEqual(names(items), ['s4', 's2']);
    assert.deepEqual(items[1], {
      sessionId: ids.s2,
      day: '2025-01-11',
      seq: 2,
      time: '2025-01-11T12:00:00.001Z',
      requestId: 's2-r1',
      action: 'deny',
      rule: 'rule-deny',
      reason: 'deny by test',
      principal: { subject: 'alice', issuer: ISSUER_A },
      connection: 'billing-db',
    });
    assert.deepEqual(names((await queryDecisions(stores, { decision: 'deny', principal: 'alice' }, {})).items), ['s2']);
    assert.deepEqual(names((await queryDecisions(stores, { decision: 'review', connection: 'orders-api' }, {})).items), ['s3']);
  });
});

describe('readSession', () => {
  it("returns a session's events and that its chain verifies", async () => {
    const session = await readSession(stores, ids.s2!);
    assert.ok(session);
    assert.equal(session.verified, true);
    assert.deepEqual(session.problems, []);
    assert.deepEqual(session.events.map((e) => e.type), ['session.start', 'request', 'decision', 'response']);
  });

  it('keeps to a time range', async () => {
    const session = await readSession(stores, ids.s2!, { from: '2025-01-11T12:00:00.001Z' });
    assert.deepEqual(session?.events.map((e) => e.type), ['decision', 'response']);
    assert.equal(await readSession(stores, ids.s2!, { from: '2025-01-12' }), undefined);
  });

  it('answers undefined for an unknown session and a 400 for an invalid id', async () => {
    assert.equal(await readSession(stores, 'no-such-session'), undefined);
    await assert.rejects(readSession(stores, '../x'), refusedWith('invalid-query'));
  });

  it('refuses with a 422, before reading it, a session larger than the read may take, and reads it within the limit', async () => {
    await assert.rejects(readSession(stores, ids.s2!, {}, 100), (error: unknown) => {
      assert.ok(error instanceof Refusal && error.type.endsWith('session-too-large') && error.status === 422, String(error));
      assert.match(error.detail, /holds \d+ bytes .* more than the 100 a read here may take/);
      return true;
    });
    assert.equal((await readSession(stores, ids.s2!, {}, 1024 * 1024))?.verified, true);
  });

  it('says where a tampered session breaks', async () => {
    const sessionId = uniqueId('tampered');
    const recorder = createRecorder({ ...stores, maxPayloadBytes: 1024, log: memoryLogger(), now: () => new Date('2025-02-01T08:00:00Z') });
    await recorder.append(requestEvents(sessionId, 'r1'));
    const path = blobPath('2025-02-01', sessionId);
    const blob = blobClient(azurite).getContainerClient(SESSION_CONTAINER).getAppendBlobClient(path);
    await blob.appendBlock('{"forged":true}\n', 16);
    const session = await readSession(stores, sessionId);
    assert.equal(session?.verified, false);
    assert.equal(session?.events.length, 4);
    assert.deepEqual(session?.problems.map((p) => [p.file, p.line]), [[path, 5]]);
  });
});
