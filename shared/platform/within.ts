// A time limit on work that waits on another service: storage or a dependency that does not
// answer (connected, nothing comes back) must not hold a request, or a health probe, for as long
// as the connection lives.

/**
 * `work`, or the error `late()` makes once `ms` have passed without it settling. The work goes on
 * unobserved (its later failure is handled here, never unhandled).
 */
export function within<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
