// One writer per key at a time, in submission order. Items submitted while a write is running are
// written together by the next one, so a busy session costs one storage call per round trip
// instead of one per event.
export type Submit<T> = (key: string, items: T[]) => Promise<void>;

interface Waiting<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function serialBatches<T>(write: (key: string, items: T[]) => Promise<void>): Submit<T> {
  const queues = new Map<string, Waiting<T>[]>();

  async function drain(key: string, queue: Waiting<T>[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0);
      try {
        await write(key, batch.flatMap((waiting) => waiting.items));
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    queues.delete(key);
  }

  return (key, items) =>
    new Promise<void>((resolve, reject) => {
      const queue = queues.get(key);
      if (queue) return void queue.push({ items, resolve, reject });
      const fresh = [{ items, resolve, reject }];
      queues.set(key, fresh);
      void drain(key, fresh);
    });
}
