import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { genesis, sealEvents } from './chain.js';
import type { PendingEvent } from './schema.js';
import { verifyChain } from './verify.js';

const key = { sessionId: 'sess-1', day: '2025-03-04' };
const at = (ms: number) => new Date(Date.parse('2025-03-04T09:00:00.000Z') + ms).toISOString();
const base = { sessionId: key.sessionId, requestId: 'req-1' };

function lines(events: PendingEvent[] = defaultEvents()): string[] {
  return sealEvents({ seq: 0, head: genesis(key.sessionId, key.day) }, events).map((line) => line.text);
}

function defaultEvents(): PendingEvent[] {
  return [
    { ...base, type: 'session.start', time: at(0) },
    { ...base, type: 'request', time: at(1), connection: 'orders', operation: { kind: 'http', summary: 'GET /orders', actions: ['read'], resources: ['/orders'], flags: [] } },
    { ...base, type: 'decision', time: at(2), decision: { action: 'allow', rule: 'reads', reason: 'reads are fine' } },
    { ...base, type: 'response', time: at(3), payload: { body: '{"ok":true}', bytes: 11, status: 200 } },
    { ...base, type: 'session.end', time: at(4) },
  ];
}

const only = (problems: ReturnType<typeof verifyChain>) => problems.map((p) => `${p.line} ${p.message}`);

describe('verifyChain', () => {
  it('accepts an intact session-day', () => {
    assert.deepEqual(verifyChain(lines(), key), []);
  });

  it('locates a changed value by its hash', () => {
    const changed = lines();
    changed[2] = changed[2]!.replace('reads are fine', 'reads are fin3');
    assert.deepEqual(only(verifyChain(changed, key)), ['3 hash does not match the line (its content was changed)']);
  });

  it('locates a flipped byte that breaks the JSON', () => {
    const changed = lines();
    changed[1] = changed[1]!.replace('{', '[');
    assert.deepEqual(only(verifyChain(changed, key)), ['2 is not valid JSON']);
  });

  it('locates a dropped line at the line after the gap, once', () => {
    const changed = lines();
    changed.splice(2, 1);
    assert.deepEqual(only(verifyChain(changed, key)), ['3 seq is 3, expected 2 (a line is missing, added or out of order)']);
  });

  it('locates two swapped lines', () => {
    const changed = lines();
    [changed[1], changed[2]] = [changed[2]!, changed[1]!];
    const problems = verifyChain(changed, key);
    assert.equal(problems[0]!.line, 2);
    assert.match(problems[0]!.message, /seq is 2, expected 1/);
  });

  it('refuses lines that are not in canonical form even when their values are unchanged', () => {
    const changed = lines();
    changed[3] = changed[3]!.replace('{', '{ ');
    assert.deepEqual(only(verifyChain(changed, key)), ['4 is not in canonical form (its bytes were changed)']);
  });

  it("refuses another session's or another day's lines by their genesis", () => {
    assert.match(only(verifyChain(lines(), { ...key, day: '2025-03-05' }))[0]!, /^1 prev is not the genesis/);
    assert.match(only(verifyChain(lines(), { ...key, sessionId: 'other' }))[0]!, /^1 belongs to session "sess-1"/);
  });

  it('requires session.start first and after every session.end', () => {
    const events = defaultEvents();
    assert.match(only(verifyChain(lines(events.slice(1)), key))[0]!, /^1 is a request, but a session-day starts with session.start/);
    const afterEnd = lines([...events, { ...base, type: 'request', time: at(5) }]);
    assert.match(only(verifyChain(afterEnd, key))[0]!, /^6 is a request after session.end/);
    const reopened = lines([...events, { ...base, type: 'session.start', time: at(5), details: { reopened: true } }, { ...base, type: 'request', time: at(6) }]);
    assert.deepEqual(verifyChain(reopened, key), []);
  });

  it('refuses a line that does not match the schema, naming the field', () => {
    const events = defaultEvents();
    const broken = lines([...events.slice(0, 2), { ...base, type: 'decision', time: at(2) } as PendingEvent]);
    assert.match(only(verifyChain(broken, key))[0]!, /^3 does not match the event schema \(decision: /);
  });
});
