// One writer per key at a time, in submission order. Items submitted while a write is running are
// written together by the next one, so a busy session costs one storage call per round trip
// instead of one per event. Items that may linger wait a little for company before a write
// starts: the next items of their key take them along (group commit). How long they wait follows
// the key's pace: a key whose next items came soon after its last lingering ones waits twice that
// long (at least MIN_WAIT_MS, at most the most), and one slower than the most does not wait at
// all, for nothing would come in time. Lingering items that came while their key's write ran
// wait after it for what is left of their time: an answer recorded while its request's events are
// being written (best-effort recording does not wait for them) still goes with the next request.
import { BoundedMap } from './bounded-map.js';

export interface SerialBatches<T> {
  submit(key: string, items: T[], linger?: boolean): Promise<void>;
  /** Starts lingering writes now; resolves once everything submitted so far is written or has failed. */
  settle(): Promise<void>;
}

interface Waiting<T> {
  items: T[];
  /** Until when (on the pace's clock) the items may wait for company; 0: they do not. */
  until: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Queue<T> {
  waiting: Waiting<T>[];
  /** Set while the queue lingers: no write is running, and one starts when it fires. */
  timer?: ReturnType<typeof setTimeout>;
}

/** A key's pace: when its last items that may linger came, and how soon after such items the next came. */
interface Pace {
  since?: number;
  gap?: number;
}

/** Keys whose pace is remembered; one forgotten only starts again without waiting. */
const PACES = 10_000;
/**
 * The shortest wait, in ms: a key that comes back within a millisecond (an agent on the same
 * machine) still comes late now and then (a GC pause, a timer's granularity), and each time costs
 * an Append Block of its own.
 */
const MIN_WAIT_MS = 5;

export function serialBatches<T>(write: (key: string, items: T[]) => Promise<void>, lingerMs = 0, now = () => performance.now()): SerialBatches<T> {
  const queues = new Map<string, Queue<T>>();
  const paces = new BoundedMap<string, Pace>(PACES);

  /** Writes what waits, batch after batch; `due`: the wait is over (the timer fired). */
  async function drain(key: string, queue: Queue<T>, due: boolean): Promise<void> {
    while (queue.waiting.length > 0) {
      // When every item may still wait, the write starts when the first is due, or with company.
      let until = Infinity;
      for (const waiting of queue.waiting) until = Math.min(until, waiting.until);
      const left = until - now();
      if (!due && left > 0) {
        queue.timer = setTimeout(() => start(key, queue, true), left);
        return;
      }
      due = false;
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

  const start = (key: string, queue: Queue<T>, due = false) => {
    clearTimeout(queue.timer);
    queue.timer = undefined;
    void drain(key, queue, due);
  };

  /** How long items of `key` that may linger wait now (0: not at all), noting when they came. */
  const pace = (key: string, linger: boolean): number => {
    if (lingerMs <= 0) return 0;
    const at = now();
    const known = paces.get(key);
    const gap = known?.since !== undefined ? at - known.since : known?.gap;
    if (linger || known?.since !== undefined) paces.set(key, { since: linger ? at : undefined, gap });
    return linger && gap !== undefined && gap <= lingerMs ? Math.min(lingerMs, Math.max(MIN_WAIT_MS, 2 * gap)) : 0;
  };

  return {
    submit: (key, items, linger = false) =>
      new Promise<void>((resolve, reject) => {
        const wait = pace(key, linger);
        const waiting = { items, until: wait > 0 ? now() + wait : 0, resolve, reject };
        const queue = queues.get(key);
        if (queue) {
          queue.waiting.push(waiting);
          // Company for lingering items: all of them go now, in one write.
          if (queue.timer !== undefined && !linger) start(key, queue);
          return;
        }
        const fresh: Queue<T> = { waiting: [waiting] };
        queues.set(key, fresh);
        start(key, fresh);
      }),
    settle: async () => {
      await Promise.all(
        [...queues].map(
          ([key, queue]) =>
            new Promise<void>((resolve) => {
              // Nothing of its own: it resolves with the batch that takes it, failed or not.
              queue.waiting.push({ items: [], until: 0, resolve, reject: () => resolve() });
              if (queue.timer !== undefined) start(key, queue);
            }),
        ),
      );
    },
  };
}
