import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { genesis, sealEvents } from './chain.js';
import { formatTimeline } from './replay.js';
import type { PendingEvent } from './schema.js';
import { sessionRecord } from './session-record.js';

const day = '2025-06-01';
const base = { sessionId: 'gh-acme.app-1-1', requestId: 'req-1' };
const principal = { subject: 'repo:acme/app', issuer: 'https://token.actions.githubusercontent.com', groups: [] };
const events: PendingEvent[] = [
  { ...base, type: 'session.start', time: '2025-06-01T10:00:00.000Z', principal, connection: 'orders-db' },
  { ...base, type: 'request', time: '2025-06-01T10:00:00.010Z', principal, connection: 'orders-db', operation: { kind: 'sql', summary: 'DropStmt on public.orders', actions: ['drop'], resources: ['public.orders'], flags: ['destructive'] }, payload: { body: 'DROP TABLE orders', bytes: 17 } },
  { ...base, type: 'decision', time: '2025-06-01T10:00:00.011Z', decision: { action: 'deny', rule: 'block-destructive-sql', reason: 'Destructive DDL is not allowed' } },
  { ...base, type: 'response', time: '2025-06-01T10:00:00.020Z', payload: { body: '{}', bytes: 2, status: 403 }, findings: [{ rule: 'pii.email', location: '$.a', length: 12, hash: 'h' }], timings: { decide: 1, total: 10 } },
  { ...base, type: 'error', time: '2025-06-01T10:00:01.000Z', error: { type: 'upstream-timeout', detail: 'no answer in 30 s' } },
];
const bytes = () => Buffer.from(sealEvents({ seq: 0, head: genesis(base.sessionId, day) }, events).map((l) => l.text + '\n').join(''));
const record = (content: Buffer) => sessionRecord(base.sessionId, [{ day, path: `2025/06/01/${base.sessionId}.jsonl`, bytes: content }]);

describe('formatTimeline', () => {
  it('prints one line per event with time, seq, type and what happened, then the verdict', () => {
    const lines = formatTimeline(record(bytes()), { colour: false });
    assert.equal(lines[0], 'session gh-acme.app-1-1');
    assert.equal(lines[1], '2025-06-01');
    assert.match(lines[2]!, /^ {2}10:00:00\.000 {2}#0 +session\.start +repo:acme\/app {2}orders-db$/);
    assert.match(lines[3]!, /#1 +request +orders-db {2}DropStmt on public\.orders {2}17 B$/);
    assert.match(lines[4]!, /#2 +decision +deny {2}rule block-destructive-sql {2}"Destructive DDL is not allowed"$/);
    assert.match(lines[5]!, /#3 +response +403 {2}2 B {2}1 masked {2}decide 1ms, total 10ms$/);
    assert.match(lines[6]!, /#4 +error +upstream-timeout: no answer in 30 s$/);
    assert.equal(lines.at(-1), 'chain verifies (5 events)');
    assert.ok(!lines.join('\n').includes('\x1b['));
  });

  it('says when an answer was aborted, by whom and after how many bytes', () => {
    const aborted: PendingEvent = { ...base, type: 'response', time: '2025-06-01T10:00:02.000Z', payload: { body: 'xx', bytes: 9000, status: 200 }, details: { aborted: true, abortedBy: 'agent', deliveredBytes: 8192 } };
    const content = Buffer.from(sealEvents({ seq: 0, head: genesis(base.sessionId, day) }, [...events, aborted]).map((l) => l.text + '\n').join(''));
    const lines = formatTimeline(record(content), { colour: false });
    assert.match(lines.at(-2)!, /#5 +response +200 {2}9000 B {2}aborted by agent after 8192 B delivered$/);
    assert.equal(lines.at(-1), 'chain verifies (6 events)');
  });

  it('colours only when asked', () => {
    const text = formatTimeline(record(bytes()), { colour: true }).join('\n');
    assert.ok(text.includes('\x1b[31mdeny\x1b[0m'));
    assert.ok(text.includes('\x1b[32mchain verifies (5 events)\x1b[0m'));
  });

  it('ends by naming the first broken line when the chain does not verify', () => {
    const tampered = Buffer.from(bytes().toString().replace('DROP TABLE', 'DROP TABLF'));
    const lines = formatTimeline(record(tampered), { colour: false });
    assert.equal(lines.at(-1), `chain does not verify: 2025/06/01/${base.sessionId}.jsonl:2 hash does not match the line (its content was changed)`);
  });
});
