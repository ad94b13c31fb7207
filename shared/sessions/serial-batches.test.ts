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

  it('lets lingering items wait for their key\'s next items and writes them together at once', async () => {
    const batches: string[][] = [];
    const { submit } = serialBatches<string>(async (key, items) => void batches.push([key, ...items]), 60_000);
    const response = submit('s', ['response 1'], true);
    const other = submit('t', ['request x']);
    await other;
    await sleep(20);
    assert.deepEqual(batches, [['t', 'request x']], 'a lingering item waits for company');
    await submit('s', ['request 2', 'decision 2']);
    await response;
    assert.deepEqual(batches, [['t', 'request x'], ['s', 'response 1', 'request 2', 'decision 2']]);
  });

  it('writes lingering items alone once the wait is over, and items that came while a write ran without waiting', async () => {
    const batches: string[][] = [];
    const { submit } = serialBatches<string>(async (key, items) => void batches.push([key, ...items]), 30);
    const started = performance.now();
    await submit('s', ['response 1'], true);
    assert.ok(performance.now() - started >= 25, 'it waited');
    assert.deepEqual(batches, [['s', 'response 1']]);

    const { batches: held, release, write } = heldFirstWrite<string>();
    const second = serialBatches<string>(write, 60_000);
    const first = second.submit('s', ['request 1']);
    const lingering = second.submit('s', ['response 1'], true);
    release();
    await Promise.all([first, lingering]);
    assert.deepEqual(held, [['s', 'request 1'], ['s', 'response 1']]);
  });

  it('settles: lingering writes start now, and it resolves once everything submitted is written or failed', async () => {
    const batches: string[][] = [];
    const { submit, settle } = serialBatches<string>(async (key, items) => {
      batches.push([key, ...items]);
      if (key === 'broken') throw new Error('storage down');
    }, 60_000);
    const lingering = submit('s', ['response 1'], true);
    const failing = submit('broken', ['response 2'], true);
    failing.catch(() => undefined);
    await settle();
    assert.deepEqual(batches, [['s', 'response 1'], ['broken', 'response 2']]);
    await lingering;
    await assert.rejects(failing, /storage down/);
    await settle();
  });
});
