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

/** `stream` behind a web stream of its own: a mapStream of it cannot run in the same stream. */
function apart<T>(stream: ReadableStream<T>): ReadableStream<T> {
  const reader = stream.getReader();
  return new ReadableStream<T>(
    {
      async pull(controller) {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/** Two mapStreams, one reading the other (`fused`: as they are; else with a web stream between), and what their hooks were told. */
function twoStages(source: ReadableStream<string>, fused: boolean, failAt?: string) {
  const told: string[] = [];
  const first = mapStream<string, string>(source, {
    transform(chunk, enqueue) {
      if (chunk === failAt) throw new Error(`no ${chunk}`);
      enqueue(chunk.toUpperCase());
      enqueue(chunk);
    },
    flush: (enqueue) => enqueue('end1'),
    failed: (error) => void told.push(`first failed: ${String(error)}`),
    cancelled: (reason) => void told.push(`first cancelled: ${String(reason)}`),
  });
  const second = mapStream<string, string>(fused ? first : apart(first), {
    transform: (chunk, enqueue) => enqueue(`<${chunk}>`),
    flush: (enqueue) => enqueue('end2'),
    failed: (error) => void told.push(`second failed: ${String(error)}`),
    cancelled: (reason) => void told.push(`second cancelled: ${String(reason)}`),
  });
  return { first, second, told };
}

describe('mapStream of a mapStream', () => {
  it('runs in one stream what the two would do: chunks, flushes in order, and the first taken', async () => {
    for (const fused of [true, false]) {
      const { first, second } = twoStages(source(['a', 'b']).stream, fused);
      assert.equal(first.locked, true);
      assert.deepEqual(await all(second), ['<A>', '<a>', '<B>', '<b>', '<end1>', 'end2'], `fused ${fused}`);
    }
  });

  it('fails as the two would when the first throws: the source cancelled with its error, the second told', async () => {
    const outcomes = [];
    for (const fused of [true, false]) {
      const { stream, seen } = source(['a', 'b', 'c']);
      const { second, told } = twoStages(stream, fused, 'b');
      await assert.rejects(all(second), /no b/);
      assert.match(String(seen.cancelled), /no b/);
      outcomes.push(told);
    }
    assert.deepEqual(outcomes[0], ['second failed: Error: no b']);
    assert.deepEqual(outcomes[0], outcomes[1]);
  });

  it("tells both of the source's failure, in order, as the two would", async () => {
    const outcomes = [];
    for (const fused of [true, false]) {
      const broken = new ReadableStream<string>({
        start(controller) {
          controller.enqueue('a');
          controller.error(new Error('upstream lost'));
        },
      });
      const { second, told } = twoStages(broken, fused);
      await assert.rejects(all(second), /upstream lost/);
      outcomes.push(told);
    }
    assert.deepEqual(outcomes[0], ['first failed: Error: upstream lost', 'second failed: Error: upstream lost']);
    assert.deepEqual(outcomes[0], outcomes[1]);
  });

  it('tells both of a cancel, with its reason, and cancels the source', async () => {
    const outcomes = [];
    for (const fused of [true, false]) {
      const { stream, seen } = source(['a', 'b']);
      const { second, told } = twoStages(stream, fused);
      const reader = second.getReader();
      await reader.read();
      await reader.cancel('the agent hung up');
      assert.equal(seen.cancelled, 'the agent hung up');
      outcomes.push([...told].sort());
    }
    assert.deepEqual(outcomes[0], ['first cancelled: the agent hung up', 'second cancelled: the agent hung up']);
    assert.deepEqual(outcomes[0], outcomes[1]);
  });
});
