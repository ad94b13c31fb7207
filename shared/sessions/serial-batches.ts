// One writer per key at a time, in submission order. Items submitted while a write is running are
// written together by the next one, so a busy session costs one storage call per round trip
// instead of one per event. Items that may linger wait a little for company before a write
// starts: the next items of their key take them along (group commit).
export interface SerialBatches<T> {
  submit(key: string, items: T[], linger?: boolean): Promise<void>;
  /** Starts lingering writes now; resolves once everything submitted so far is written or has failed. */
  settle(): Promise<void>;
}

interface Waiting<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Queue<T> {
  waiting: Waiting<T>[];
  /** Set while the queue lingers: no write is running, and one starts when it fires. */
  timer?: ReturnType<typeof setTimeout>;
}

export function serialBatches<T>(write: (key: string, items: T[]) => Promise<void>, lingerMs = 0): SerialBatches<T> {
  const queues = new Map<string, Queue<T>>();

  async function drain(key: string, queue: Queue<T>): Promise<void> {
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0);
      const items = batch.flatMap((waiting) => waiting.items);
      try {
        if (items.length > 0) await write(key, items);
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    queues.delete(key);
  }

  const start = (key: string, queue: Queue<T>) => {
    clearTimeout(queue.timer);
    queue.timer = undefined;
    void drain(key, queue);
  };

  return {
    submit: (key, items, linger = false) =>
      new Promise<void>((resolve, reject) => {
        const waiting = { items, resolve, reject };
        const queue = queues.get(key);
        if (queue) {
          queue.waiting.push(waiting);
          // Company for lingering items: all of them go now, in one write.
          if (queue.timer !== undefined && !linger) start(key, queue);
          return;
        }
        const fresh: Queue<T> = { waiting: [waiting] };
        queues.set(key, fresh);
        if (linger && lingerMs > 0) fresh.timer = setTimeout(() => start(key, fresh), lingerMs);
        else start(key, fresh);
      }),
    settle: async () => {
      await Promise.all(
        [...queues].map(
          ([key, queue]) =>
            new Promise<void>((resolve) => {
              // Nothing of its own: it resolves with the batch that takes it, failed or not.
              queue.waiting.push({ items: [], resolve, reject: () => resolve() });
              if (queue.timer !== undefined) start(key, queue);
            }),
        ),
      );
    },
  };
}
