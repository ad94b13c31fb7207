// Closes a finished day: appends `session.end` to each of that day's session blobs whose last line
// is not one already. The day's export runs after this, so an exported session-day ends with its
// `session.end`. The line goes through the same conditional append as the recorder's, so a close
// racing a late event never forks the chain; an event that arrives after the close is chained
// after a fresh `session.start` (reopened) and the next close ends it again.
import type { BlobServiceClient } from '@azure/storage-blob';
import { draft } from './chain.js';
import { appendToChain, sessionBlobs } from './chain-writer.js';
import { mapLimit } from './map-limit.js';
import { dayOf, dayPrefix, parseBlobPath, SESSION_CONTAINER } from './names.js';

const CLOSE_REQUEST_ID = 'day-close';

/** Closes the session-days of `day`, which must be over; returns how many were closed now. */
export async function closeSessions(
  blobs: BlobServiceClient,
  day: string,
  options: { now?: () => Date; maxAttempts?: number; maxBlocksPerBlob?: number } = {},
): Promise<number> {
  const now = options.now ?? (() => new Date());
  if (day >= dayOf(now())) throw new Error(`cannot close ${day}: the day is not over`);
  const container = blobs.getContainerClient(SESSION_CONTAINER);
  if (!(await container.exists())) return 0;
  // One close per session-day, whatever number of blobs it rolled over into: the writer finds the last.
  const keys = new Map<string, { sessionId: string; day: string }>();
  for await (const item of container.listBlobsFlat({ prefix: dayPrefix(day) })) {
    const key = parseBlobPath(item.name);
    if (key) keys.set(key.sessionId, { sessionId: key.sessionId, day: key.day });
  }
  const writer = sessionBlobs(container);
  const closed = await mapLimit([...keys.values()], 16, async (key) => {
    const { written } = await appendToChain(
      writer,
      key,
      undefined,
      (state) =>
        state.seq === 0 || state.lastType === 'session.end'
          ? []
          : [draft({ type: 'session.end', time: now().toISOString(), sessionId: key.sessionId, requestId: CLOSE_REQUEST_ID, details: { reason: 'day closed' } })],
      { maxAttempts: options.maxAttempts ?? 20, maxBlocks: options.maxBlocksPerBlob },
    );
    return written.length > 0;
  });
  return closed.filter(Boolean).length;
}
