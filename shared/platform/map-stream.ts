// A web stream's chunks passed through a function, as one pull-based ReadableStream. It does what
// `pipeThrough(new TransformStream(…))` does without the two streams that adds and the promise
// turns its pipe takes for every chunk; Node 20 also makes each web stream transferable, which
// costs more than a streamed answer's masking of a chunk.
// A mapStream of a mapStream nobody has read is one stream running both functions: each web
// stream between them would cost a read's promise turns per chunk (a streamed answer is masked,
// then recorded). It behaves as the two would, hooks included.
// Nothing is read ahead: the source is read only when the reader asks for a chunk.

export interface ChunkMapper<I, O> {
  /** Hands on what one chunk of the source makes (possibly nothing); a throw fails the stream. */
  transform(chunk: I, enqueue: (out: O) => void): void | Promise<void>;
  /** Hands on what is left once the source has ended. */
  flush?(enqueue: (out: O) => void): void | Promise<void>;
  /** The source failed (or the function of a mapStream it reads from threw), before the stream fails with the same error. */
  failed?(error: unknown): void | Promise<void>;
  /** The reader cancelled the stream, or a mapStream reading it failed: told alongside the source's cancel. */
  cancelled?(reason: unknown): void | Promise<void>;
}

type Stage = ChunkMapper<unknown, unknown>;
type Settled = void | Promise<void>;

const then = (settled: Settled, next: () => Settled): Settled => (settled instanceof Promise ? settled.then(next) : next());

/** The reader of a mapStream's source, and its functions, first to last. */
interface Chain {
  reader: ReadableStreamDefaultReader<unknown>;
  stages: Stage[];
}

const chains = new WeakMap<ReadableStream<unknown>, Chain>();

export function mapStream<I, O>(source: ReadableStream<I>, mapper: ChunkMapper<I, O>): ReadableStream<O> {
  const inner = chains.get(source);
  let chain: Chain;
  if (inner && !source.locked) {
    // Locked, never read: its functions run in the new stream, on its source's reader.
    source.getReader();
    chain = { reader: inner.reader, stages: [...inner.stages, mapper as Stage] };
  } else chain = { reader: source.getReader(), stages: [mapper as Stage] };
  const stream = chained(chain) as ReadableStream<O>;
  chains.set(stream, chain);
  return stream;
}

function chained({ reader, stages }: Chain): ReadableStream<unknown> {
  const last = stages.length - 1;

  /** Stage `at`'s transform of `chunk` (its flush without one); a throw there is what its own stream's would be. */
  const step = (at: number, chunk: { value: unknown } | undefined, out: (made: unknown) => void): Settled => {
    const stage = stages[at]!;
    let result: Settled;
    try {
      result = chunk ? stage.transform(chunk.value, out) : stage.flush?.(out);
    } catch (error) {
      return failed(at, chunk, error);
    }
    return result instanceof Promise ? result.catch((error: unknown) => failed(at, chunk, error)) : undefined;
  };

  const failed = async (at: number, chunk: { value: unknown } | undefined, error: unknown): Promise<never> => {
    // It cancels what it reads (not at the flush: that has ended), and fails what reads it.
    if (chunk) await Promise.all([...stages.slice(0, at).map((s) => s.cancelled?.(error)), reader.cancel(error).catch(() => undefined)]);
    for (const after of stages.slice(at + 1)) await after.failed?.(error);
    throw error;
  };

  /**
   * `chunk` through stage `at` and every stage after it; without a chunk, each stage's flush,
   * after what the one before handed on. Synchronous while the stages are: each await is a turn.
   */
  const run = (at: number, chunk: { value: unknown } | undefined, emit: (out: unknown) => void): Settled => {
    if (at === last) return step(at, chunk, emit);
    const made: unknown[] = [];
    return then(step(at, chunk, (out) => void made.push(out)), () => feed(at, chunk, made, 0, emit));
  };

  /** What stage `at` made, from the `from`th, through the next stages; then, at a flush, the next stage's flush. */
  const feed = (at: number, chunk: { value: unknown } | undefined, made: unknown[], from: number, emit: (out: unknown) => void): Settled => {
    for (let i = from; i < made.length; i++) {
      const pending = run(at + 1, { value: made[i] }, emit);
      if (pending) return pending.then(() => feed(at, chunk, made, i + 1, emit));
    }
    return chunk ? undefined : run(at + 1, undefined, emit);
  };

  return new ReadableStream<unknown>(
    {
      async pull(controller) {
        let sent = false;
        const emit = (out: unknown) => {
          sent = true;
          controller.enqueue(out);
        };
        while (!sent) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            for (const stage of stages) await stage.failed?.(error);
            throw error;
          }
          if (next.done) {
            await run(0, undefined, emit);
            controller.close();
            return;
          }
          const pending = run(0, { value: next.value }, emit);
          if (pending) await pending;
        }
      },
      async cancel(reason) {
        await Promise.all([...stages.map((stage) => stage.cancelled?.(reason)), reader.cancel(reason).catch(() => undefined)]);
      },
    },
    { highWaterMark: 0 },
  );
}
