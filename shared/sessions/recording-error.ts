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

/** What a storage call that did not answer within `ms` (platform/within.ts) fails with. */
export const storageSilent = (ms: number, prefix = '') => new RecordingError(`${prefix}storage did not answer within ${ms / 1000} s`);
