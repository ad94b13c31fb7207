// The one error the recorder throws: the event was not recorded, so the gateway refuses the request
// (fail closed) unless the policy says `recording: best-effort`. Messages carry names and codes only.
export class RecordingError extends Error {
  override name = 'RecordingError';
}

/** HTTP status and storage error code of an Azure SDK error, when it has them. */
export function storageError(error: unknown): { status?: number; code?: string } {
  const e = error as { statusCode?: number; code?: string; details?: { errorCode?: string } } | undefined;
  return { status: e?.statusCode, code: e?.details?.errorCode ?? e?.code };
}

export const describeError = (error: unknown): string => {
  const { status, code } = storageError(error);
  return status || code ? [status, code].filter(Boolean).join(' ') : error instanceof Error ? error.message : String(error);
};

/**
 * `work`, or a RecordingError once `ms` have passed without it settling: storage that does not
 * answer (connected, nothing comes back) must not hold a request for as long as the connection
 * lives. The work goes on unobserved; an append that lands late is still a valid line of its chain.
 */
export function withinTime<T>(work: Promise<T>, ms: number, what?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RecordingError(`${what ? `${what}: ` : ''}storage did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
