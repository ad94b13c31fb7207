// A web stream's chunks passed through a function, as one pull-based ReadableStream. It does what
// `pipeThrough(new TransformStream(…))` does without the two streams that adds and the promise
// turns its pipe takes for every chunk; Node 20 also makes each web stream transferable, which
// costs more than a streamed answer's masking of a chunk.
// Nothing is read ahead: the source is read only when the reader asks for a chunk.

export interface ChunkMapper<I, O> {
  /** Hands on what one chunk of the source makes (possibly nothing); a throw fails the stream. */
  transform(chunk: I, enqueue: (out: O) => void): void | Promise<void>;
  /** Hands on what is left once the source has ended. */
  flush?(enqueue: (out: O) => void): void | Promise<void>;
}

export function mapStream<I, O>(source: ReadableStream<I>, mapper: ChunkMapper<I, O>): ReadableStream<O> {
  const reader = source.getReader();
  return new ReadableStream<O>(
    {
      async pull(controller) {
        let sent = false;
        const enqueue = (out: O) => {
          sent = true;
          controller.enqueue(out);
        };
        while (!sent) {
          const next = await reader.read();
          if (next.done) {
            await mapper.flush?.(enqueue);
            controller.close();
            return;
          }
          try {
            await mapper.transform(next.value, enqueue);
          } catch (error) {
            await reader.cancel(error).catch(() => undefined);
            throw error;
          }
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
