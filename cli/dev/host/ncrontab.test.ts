import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNcrontab } from './ncrontab.js';

const at = (iso: string) => new Date(iso);

describe('NCRONTAB schedules', () => {
  it('fires every five seconds', () => {
    const s = parseNcrontab('*/5 * * * * *');
    assert.equal(s.next(at('2026-01-01T00:00:03Z')).toISOString(), '2026-01-01T00:00:05.000Z');
    assert.equal(s.next(at('2026-01-01T00:00:05Z')).toISOString(), '2026-01-01T00:00:10.000Z');
  });

  it('fires daily at a fixed time and rolls over to the next day', () => {
    const s = parseNcrontab('0 30 1 * * *');
    assert.equal(s.next(at('2026-01-01T00:00:00Z')).toISOString(), '2026-01-01T01:30:00.000Z');
    assert.equal(s.next(at('2026-01-01T01:30:00Z')).toISOString(), '2026-01-02T01:30:00.000Z');
  });

  it('rolls over months and years', () => {
    const s = parseNcrontab('0 0 0 1 JAN *');
    assert.equal(s.next(at('2026-03-15T12:00:00Z')).toISOString(), '2027-01-01T00:00:00.000Z');
  });

  it('honours ranges, lists and day-of-week names', () => {
    const s = parseNcrontab('0 0 9-17/4 * * MON-FRI');
    // 2026-01-03 is a Saturday: the next weekday slot is Monday 09:00.
    assert.equal(s.next(at('2026-01-03T10:00:00Z')).toISOString(), '2026-01-05T09:00:00.000Z');
    assert.equal(s.next(at('2026-01-05T09:00:00Z')).toISOString(), '2026-01-05T13:00:00.000Z');
    assert.equal(parseNcrontab('0 0 12 * * 0,7').next(at('2026-01-05T00:00:00Z')).getUTCDay(), 0);
  });

  it('requires the day and the day-of-week to match together', () => {
    // The 13th that is a Friday: 2026-02-13.
    const s = parseNcrontab('0 0 0 13 * FRI');
    assert.equal(s.next(at('2026-01-01T00:00:00Z')).toISOString(), '2026-02-13T00:00:00.000Z');
  });

  it('rejects five-field crontabs and bad fields, naming every problem', () => {
    assert.throws(() => parseNcrontab('0 * * * *'), /5 fields; expected 6/);
    assert.throws(() => parseNcrontab('61 * 25 * * FOO'), /second "61".*hour "25".*day-of-week "FOO"/);
  });

  it('reports a schedule that can never fire', () => {
    assert.throws(() => parseNcrontab('0 0 0 31 FEB *').next(at('2026-01-01T00:00:00Z')), /no occurrence/);
  });
});
