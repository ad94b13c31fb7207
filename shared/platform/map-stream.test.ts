import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapStream } from './map-stream.js';

/** A source of these chunks that counts how many were pulled and keeps the reason it was cancelled with. */
function source(chunks: string[]) {
  const seen = { pulled: 0, cancelled: undefined as unknown };
  const stream = new ReadableStream<string>(
    {
      pull(controller) {
        if (seen.pulled === chunks.length) return controller.close();
        controller.enqueue(chunks[seen.pulled++]!);
      },
      cancel(reason) {
        seen.cancelled = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

async function all<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

describe('mapStream', () => {
  it('hands on what each chunk makes, reading on past chunks that make nothing, then the flush', async () => {
    const { stream } = source(['a', '', 'b', '', '']);
    const mapped = mapStream<string, string>(stream, {
      transform(chunk, enqueue) {
        if (!chunk) return;
        enqueue(chunk.toUpperCase());
        enqueue(chunk);
      },
      flush: (enqueue) => enqueue('end'),
    });
    assert.deepEqual(await all(mapped), ['A', 'a', 'B', 'b', 'end']);
  });

  it('reads the source only when asked for a chunk', async () => {
    const { stream, seen } = source(['a', 'b', 'c']);
    const reader = mapStream<string, string>(stream, { transform: (chunk, enqueue) => enqueue(chunk) }).getReader();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.pulled, 0);
    assert.equal((await reader.read()).value, 'a');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.pulled, 1);
  });

  it('waits for an asynchronous transform, in order', async () => {
    const { stream } = source(['1', '2', '3']);
    const mapped = mapStream<string, string>(stream, {
      async transform(chunk, enqueue) {
        await new Promise((resolve) => setTimeout(resolve, 4 - Number(chunk)));
        enqueue(chunk);
      },
    });
    assert.deepEqual(await all(mapped), ['1', '2', '3']);
  });

  it('fails with the error a transform throws, and cancels the source with it', async () => {
    const { stream, seen } = source(['a', 'b']);
    const failure = new Error('too large');
    const reader = mapStream<string, string>(stream, {
      transform(chunk, enqueue) {
        if (chunk === 'b') throw failure;
        enqueue(chunk);
      },
    }).getReader();
    assert.equal((await reader.read()).value, 'a');
    await assert.rejects(reader.read(), failure);
    assert.equal(seen.cancelled, failure);
  });

  it("fails with the source's error", async () => {
    const failure = new Error('upstream lost');
    const broken = new ReadableStream<string>({
      start(controller) {
        controller.enqueue('a');
        controller.error(failure);
      },
    });
    const reader = mapStream<string, string>(broken, { transform: (chunk, enqueue) => enqueue(chunk) }).getReader();
    await assert.rejects(async () => {
      for (;;) if ((await reader.read()).done) break;
    }, failure);
  });

  it('passes a cancel on to the source, with its reason', async () => {
    const { stream, seen } = source(['a', 'b']);
    const reader = mapStream<string, string>(stream, { transform: (chunk, enqueue) => enqueue(chunk) }).getReader();
    await reader.read();
    await reader.cancel('the agent hung up');
    assert.equal(seen.cancelled, 'the agent hung up');
  });
});
