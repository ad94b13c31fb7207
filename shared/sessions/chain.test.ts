import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson } from './canonical-json.js';
import { draft, genesis, lineHash, sealDrafts, sealEvents } from './chain.js';
import type { PendingEvent } from './schema.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members and writes no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: undefined, b: true } }), '{"a":{"b":true,"d":[1,"x",null]},"b":1}');
  });

  it('serializes equal values identically whatever their key order', () => {
    assert.equal(canonicalJson({ x: 1, y: { p: 'é', q: 2 } }), canonicalJson({ y: { q: 2, p: 'é' }, x: 1 }));
  });

  it('refuses numbers JSON cannot hold', () => {
    assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
  });
});

describe('the hash chain', () => {
  it('derives a different genesis for each session and each day', () => {
    const values = new Set([genesis('a', '2025-01-01'), genesis('b', '2025-01-01'), genesis('a', '2025-01-02')]);
    assert.equal(values.size, 3);
    assert.match(genesis('a', '2025-01-01'), /^[0-9a-f]{64}$/);
  });

  it('hashes the canonical JSON of a line without its hash member', () => {
    const [line] = sealEvents({ seq: 0, head: genesis('s', '2025-01-01') }, [
      { type: 'session.start', time: '2025-01-01T10:00:00.000Z', sessionId: 's', requestId: 'r1' },
    ]);
    const { hash, ...rest } = JSON.parse(line!.text) as Record<string, unknown>;
    assert.equal(hash, createHash('sha256').update(canonicalJson(rest)).digest('hex'));
    assert.equal(hash, lineHash(rest));
    assert.equal(line!.text, canonicalJson({ ...rest, hash }));
  });

  it('links each line to the previous line and numbers them from the given seq', () => {
    const start = genesis('s', '2025-01-01');
    const lines = sealEvents({ seq: 0, head: start }, [
      { type: 'session.start', time: '2025-01-01T10:00:00.000Z', sessionId: 's', requestId: 'r1' },
      { type: 'request', time: '2025-01-01T10:00:00.001Z', sessionId: 's', requestId: 'r1' },
      { type: 'response', time: '2025-01-01T10:00:00.002Z', sessionId: 's', requestId: 'r1' },
    ]);
    assert.deepEqual(lines.map((l) => l.event.seq), [0, 1, 2]);
    assert.equal(lines[0]!.event.prev, start);
    assert.equal(lines[1]!.event.prev, lines[0]!.event.hash);
    assert.equal(lines[2]!.event.prev, lines[1]!.event.hash);
  });
});

/** Canonical JSON as first written (the chain's bytes must never change): the reference to compare with. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : reference(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`);
  return `{${members.join(',')}}`;
}

/** The head after sealing `representative` from seq 7 (computed when lines were first written this way). */
const GOLDEN_HEAD = '6a4fc63d6defa4f6eb3dc908da3181b2ecb3f56f1e2832a2f286efe4829173d1';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Events of every shape the gateway records: payloads, findings, unicode, nested members in no order. */
const representative: PendingEvent[] = [
  { type: 'session.start', time: '2025-06-01T10:00:00.000Z', sessionId: 'gh-acme.app-1-1', requestId: 'req-1', details: { continues: '2025/06/01/x.jsonl', reopened: true } },
  {
    requestId: 'req-1',
    type: 'request',
    time: '2025-06-01T10:00:00.010Z',
    sessionId: 'gh-acme.app-1-1',
    principal: { subject: 'repo:acme/app', issuer: 'https://token.actions.githubusercontent.com', groups: ['b', 'a'] },
    connection: 'llm',
    operation: { summary: 'chat gpt-x', kind: 'openai', resources: ['model:gpt-x'], actions: ['chat'], flags: [] },
    payload: { contentType: 'application/json', bytes: 95, body: '{"messages":[{"content":"Grüße, 東京 🚀 \\"quoted\\"\\n\u2028 [MASKED:aws-key]","role":"user"}]}' },
    findings: [{ rule: 'aws-key', location: '$.messages[0].content:20', length: 40, hash: 'a1b2c3d4' }],
  },
  {
    type: 'decision',
    time: '2025-06-01T10:00:00.011Z',
    sessionId: 'gh-acme.app-1-1',
    requestId: 'req-1',
    principal: { groups: [], issuer: 'https://i', subject: 's', kind: 'workload', claims: { z: 1, a: ['x', 2, false], é: 'accent', A: 'upper' } },
    operation: { kind: 'http', summary: 'POST /x', actions: [], resources: [], flags: ['write'], method: 'POST', path: '/x', query: 'b=2&a=1', headers: { 'x-b': '2', 'content-type': 'text/plain' }, text: 'tab\there', masked: ['text', 'headers'] },
    decision: { reason: 'Needs a human', rule: null, action: 'review' },
    details: { tier: 'write', minApprovals: 2, none: null, elevated: false },
  },
  {
    type: 'response',
    time: '2025-06-01T10:00:00.020Z',
    sessionId: 'gh-acme.app-1-1',
    requestId: 'req-1',
    payload: { status: 200, body: '', bytes: 2_000_000, truncated: true, headers: { 'x-z': 'z', 'Content-Type': 'application/json' } },
    findings: [],
    findingsOmitted: 3,
    timings: { upstreamMs: 0.30000000000000004, totalMs: 12.5, decideMs: 0 },
    details: { promptTokens: 12, model: 'gpt-x', finishReason: 'stop', big: 1e21, small: 1e-7, negative: -0 },
  },
  {
    type: 'approval.decided',
    time: '2025-06-01T10:00:05.000Z',
    sessionId: 'gh-acme.app-1-1',
    requestId: 'req-1',
    approval: { status: 'approved', id: 'apr-1', reviewer: { subject: 'alice', issuer: 'https://login' }, reason: 'ok 👍' },
    error: { detail: 'none', type: 'x' },
  },
];

describe('sealed lines', () => {
  it('are the canonical JSON of their members, hashed without the hash member: the same bytes as ever', () => {
    const start = genesis('gh-acme.app-1-1', '2025-06-01');
    const lines = sealEvents({ seq: 7, head: start }, representative);
    let head = start;
    lines.forEach((line, i) => {
      const unsealed = { ...representative[i], v: 1, seq: 7 + i, prev: head };
      const hash = sha256(reference(unsealed));
      assert.equal(line.text, reference({ ...unsealed, hash }));
      assert.equal(line.event.hash, hash);
      assert.deepEqual(line.event, { ...unsealed, hash });
      head = hash;
    });
    // Pinned: a change to how lines are written would fork every chain written before it.
    assert.equal(head, GOLDEN_HEAD);
  });

  it('are the same however many times a serialised event is sealed, wherever in the chain', () => {
    const drafts = representative.map(draft);
    for (const from of [{ seq: 0, head: genesis('a', '2025-06-01') }, { seq: 41, head: 'e'.repeat(64) }]) {
      assert.deepEqual(sealDrafts(from, drafts), sealEvents(from, representative));
      assert.equal(sealDrafts(from, drafts)[0]!.text, reference({ ...representative[0], v: 1, seq: from.seq, prev: from.head, hash: sealDrafts(from, drafts)[0]!.event.hash }));
    }
  });

  it('take their chain members from the chain, whatever a pending event claims', () => {
    const head = genesis('s', '2025-06-01');
    const forged = { type: 'request', time: '2025-06-01T10:00:00.000Z', sessionId: 's', requestId: 'r', v: 2, seq: 99, prev: 'f'.repeat(64), hash: '0'.repeat(64) } as unknown as PendingEvent;
    const [line] = sealEvents({ seq: 3, head }, [forged]);
    const { hash, ...rest } = JSON.parse(line!.text) as Record<string, unknown>;
    assert.deepEqual(rest, { type: 'request', time: '2025-06-01T10:00:00.000Z', sessionId: 's', requestId: 'r', v: 1, seq: 3, prev: head });
    assert.equal(hash, lineHash(rest));
    assert.equal(line!.text, canonicalJson({ ...rest, hash }));
  });

  it('serialise values exactly as the first canonical JSON did', () => {
    for (const value of [...representative, { b: [undefined, { d: undefined, c: '\u0000\ud800' }], a: -0, '': 'empty' }, [], {}, 'x', 3.5, null, true]) {
      assert.equal(canonicalJson(value), reference(value));
    }
  });

  it('serialise objects of plain values in order, or not, as the first canonical JSON did', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1, b: 'x' });
    for (const value of [
      { a: 1, b: 'x', c: true, d: null, e: -0, f: 1e21 },
      { b: 1, a: 2 },
      { 9: 'nine', 10: 'ten', a: 'a' },
      { a: 1, b: undefined, c: 2 },
      { a: 'x', toJSON: 'not a function' },
      { a: { b: 1, c: [1, 2] }, d: { f: 1, e: 2 } },
      { when: new Date(0), map: new Map([['k', 1]]) },
      bare,
    ]) {
      assert.equal(canonicalJson(value), reference(value));
    }
    assert.throws(() => canonicalJson({ a: 1, b: Number.POSITIVE_INFINITY }), TypeError);
    assert.throws(() => canonicalJson({ a: { b: 1, c: Number.NaN } }), TypeError);
  });
});
