import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { serialBatches } from './serial-batches.js';

/** A write that records its batches and resolves the first only when `release` is called. */
function heldFirstWrite<T>() {
  const batches: Array<[string, ...T[]]> = [];
  let release!: () => void;
  const firstWrite = new Promise<void>((resolve) => (release = resolve));
  const write = async (key: string, items: T[]) => {
    batches.push([key, ...items]);
    if (batches.length === 1) await firstWrite;
  };
  return { batches, release, write };
}

describe('serialBatches', () => {
  it('writes one batch per key at a time, coalescing what queued meanwhile, in order', async () => {
    const { batches, release, write } = heldFirstWrite<string>();
    const { submit } = serialBatches<string>(write);
    const done = [submit('s', ['1']), submit('s', ['2', '3']), submit('s', ['4']), submit('t', ['x'])];
    release();
    await Promise.all(done);
    assert.deepEqual(batches, [['s', '1'], ['t', 'x'], ['s', '2', '3', '4']]);
  });

  it('rejects only the callers whose batch failed', async () => {
    let calls = 0;
    const { submit } = serialBatches<number>(async () => {
      calls += 1;
      if (calls === 1) throw new Error('storage down');
    });
    const first = submit('s', [1]);
    const second = submit('s', [2]);
    await assert.rejects(first, /storage down/);
    await second;
  });

  /** A clock the test moves; each key's pace is measured on it. */
  const clock = () => {
    let time = 0;
    return { now: () => time, pass: (ms: number) => void (time += ms) };
  };

  it('lets lingering items wait for their key\'s next items, as long as its pace says, and writes them together at once', async () => {
    const batches: string[][] = [];
    const time = clock();
    const { submit } = serialBatches<string>(async (key, items) => void batches.push([key, ...items]), 60_000, time.now);
    await submit('s', ['response 1'], true);
    assert.deepEqual(batches, [['s', 'response 1']], 'a key with no pace yet does not wait');
    time.pass(20_000);
    await submit('s', ['request 2']);
    const response = submit('s', ['response 2'], true);
    const other = submit('t', ['request x']);
    await other;
    await sleep(20);
    assert.deepEqual(batches.slice(2), [['t', 'request x']], 'a lingering item waits for company');
    time.pass(5);
    await submit('s', ['request 3', 'decision 3']);
    await response;
    assert.deepEqual(batches.slice(3), [['s', 'response 2', 'request 3', 'decision 3']]);
  });

  it('waits twice the key\'s last pace, no longer than the most, and not at all for a key slower than that', async () => {
    const batches: string[][] = [];
    const time = clock();
    const { submit } = serialBatches<string>(async (key, items) => void batches.push([key, ...items]), 100, time.now);
    await submit('s', ['response 1'], true);
    time.pass(20);
    await submit('s', ['request 2']);
    let started = performance.now();
    await submit('s', ['response 2'], true);
    const waited = performance.now() - started;
    assert.ok(waited >= 35 && waited < 1000, `it waited twice the pace (${waited} ms)`);
    time.pass(101);
    await submit('s', ['request 3']);
    started = performance.now();
    const alone = submit('s', ['response 3'], true);
    await sleep(0);
    assert.deepEqual(batches.at(-1), ['s', 'response 3'], 'a key slower than the most writes at once');
    await alone;
    time.pass(30);
    await submit('s', ['request 4']);
    assert.deepEqual(batches.length, 6, 'what came after the slow key\'s lingering items measured its pace again');
    started = performance.now();
    await submit('s', ['response 4'], true);
    assert.ok(performance.now() - started >= 55, 'it waits again once its pace is back within the most');
    time.pass(0.1);
    await submit('s', ['request 5']);
    started = performance.now();
    await submit('s', ['response 5'], true);
    assert.ok(performance.now() - started >= 4, 'a key that comes back at once still waits a few ms: it may be late now and then');
  });

  it('lets lingering items that came while a write ran wait after it for what is left of their time', async () => {
    const batches: string[][] = [];
    let gate: Promise<void> | undefined;
    const time = clock();
    const { submit } = serialBatches<string>(async (key, items) => {
      batches.push([key, ...items]);
      await gate;
    }, 60_000, time.now);
    await submit('s', ['response 0'], true);
    time.pass(20_000);
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const first = submit('s', ['request 1']);
    const lingering = submit('s', ['response 1'], true);
    release();
    await first;
    await sleep(20);
    assert.deepEqual(batches, [['s', 'response 0'], ['s', 'request 1']], 'after the write, the lingering item still waits for company');
    time.pass(10);
    await submit('s', ['request 2']);
    await lingering;
    assert.deepEqual(batches.slice(2), [['s', 'response 1', 'request 2']]);

    // Its time spent while the write ran: it goes right after it.
    gate = new Promise<void>((resolve) => (release = resolve));
    const third = submit('s', ['request 3']);
    const late = submit('s', ['response 3'], true);
    time.pass(60_000);
    const started = performance.now();
    release();
    await Promise.all([third, late]);
    assert.ok(performance.now() - started < 1000, 'it did not wait again');
    assert.deepEqual(batches.slice(3), [['s', 'request 3'], ['s', 'response 3']]);
  });

  it('settles: lingering writes start now, and it resolves once everything submitted is written or failed', async () => {
    const batches: string[][] = [];
    const time = clock();
    const { submit, settle } = serialBatches<string>(async (key, items) => {
      batches.push([key, ...items]);
      if (key === 'broken') throw new Error('storage down');
    }, 60_000, time.now);
    await submit('s', ['response 0'], true);
    await submit('broken', ['response 0'], true).catch(() => undefined);
    time.pass(10_000);
    await submit('s', ['request 1']);
    await submit('broken', ['request 1']).catch(() => undefined);
    const lingering = submit('s', ['response 1'], true);
    const failing = submit('broken', ['response 2'], true);
    failing.catch(() => undefined);
    await sleep(20);
    assert.equal(batches.length, 4, 'both wait for company');
    const started = performance.now();
    await settle();
    assert.ok(performance.now() - started < 1000, 'settling does not wait out their pace');
    assert.deepEqual(batches.slice(4), [['s', 'response 1'], ['broken', 'response 2']]);
    await lingering;
    await assert.rejects(failing, /storage down/);
    await settle();
  });
});
