import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialBatches } from './serial-batches.js';

describe('serialBatches', () => {
  it('writes one batch per key at a time, coalescing what queued meanwhile, in order', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const firstWrite = new Promise<void>((resolve) => (release = resolve));
    const submit = serialBatches<string>(async (key, items) => {
      batches.push([key, ...items]);
      if (batches.length === 1) await firstWrite;
    });
    const done = [submit('s', ['1']), submit('s', ['2', '3']), submit('s', ['4']), submit('t', ['x'])];
    release();
    await Promise.all(done);
    assert.deepEqual(batches, [['s', '1'], ['t', 'x'], ['s', '2', '3', '4']]);
  });

  it('rejects only the callers whose batch failed', async () => {
    let calls = 0;
    const submit = serialBatches<number>(async () => {
      calls += 1;
      if (calls === 1) throw new Error('storage down');
    });
    const first = submit('s', [1]);
    const second = submit('s', [2]);
    await assert.rejects(first, /storage down/);
    await second;
  });
});
