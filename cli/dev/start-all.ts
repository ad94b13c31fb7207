// Starts several resources at once (servers, child processes, browsers) for the dev stack and the
// tests' setups. If any of them fails to start, the ones that did start are stopped before the
// error is passed on: a failed setup leaves nothing running that would keep the process (and a
// test file) alive.

export interface Part<R> {
  start(): Promise<R>;
  stop(resource: R): Promise<unknown> | unknown;
}

/** Starts every part concurrently; resolves with their resources in order, or stops the started ones and rejects. */
export async function startAll<T extends unknown[]>(...parts: { [K in keyof T]: Part<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(parts.map((part) => part.start()));
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failures.length === 0) return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as T;
  await stopStarted(parts, settled);
  if (failures.length === 1) throw failures[0].reason;
  throw new AggregateError(failures.map((f) => f.reason), failures.map((f) => String((f.reason as Error)?.message ?? f.reason)).join('; '));
}

async function stopStarted(parts: ReadonlyArray<Part<unknown>>, settled: PromiseSettledResult<unknown>[]): Promise<void> {
  // Reverse order, one at a time; a failing stop does not keep the others from stopping.
  for (let i = settled.length - 1; i >= 0; i--) {
    const s = settled[i];
    if (s.status === 'fulfilled') await Promise.resolve().then(() => parts[i].stop(s.value)).catch(() => undefined);
  }
}
