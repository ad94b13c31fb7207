import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson } from './canonical-json.js';
import { genesis, lineHash, sealEvents } from './chain.js';

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
