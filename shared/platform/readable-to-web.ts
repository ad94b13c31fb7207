// A Node Readable as a web ReadableStream that hands on, at each read, everything buffered so far
// as one chunk. Readable.toWeb passes on each piece the source pushed, and an HTTP response pushes
// one per chunk of its chunked encoding: a streamed LLM answer went through every transform
// (counting, masking, capture, recording) fifty times, once per event, which cost more than
// masking the events. Nothing waits for more data: a read gets what has arrived.
import type { Readable } from 'node:stream';
import { finished } from 'node:stream';

export function readableToWeb(source: Readable): ReadableStream<Uint8Array> {
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  source.on('readable', notify);
  // Ends, errors and premature closes (the connection lost mid-body) alike.
  finished(source, (error) => {
    if (error) failure = error;
    ended = true;
    notify();
  });
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (failure !== undefined) throw failure;
          const chunk = source.read() as Uint8Array | null;
          if (chunk !== null) {
            controller.enqueue(chunk);
            return;
          }
          if (ended) {
            controller.close();
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      cancel(reason) {
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    // Nothing is read ahead here: the source's own buffer is the only one.
    { highWaterMark: 0 },
  );
}
