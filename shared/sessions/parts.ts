// The blobs of one session-day: the first, `{sessionId}.jsonl`, and the parts it rolled over into
// (names.ts). Listed by prefix, which also finds other sessions whose id starts the same way; those
// are left out by parsing each name.
import type { ContainerClient } from '@azure/storage-blob';
import { dayPrefix, parseBlobPath } from './names.js';
import { storageError } from './recording-error.js';

/** The part numbers present, ascending (empty when the session-day has no blob). */
export async function listParts(container: ContainerClient, key: { sessionId: string; day: string }): Promise<number[]> {
  return (await listPartSizes(container, key)).map(({ part }) => part);
}

/** The parts present with their sizes in bytes, ascending. */
export async function listPartSizes(container: ContainerClient, key: { sessionId: string; day: string }): Promise<Array<{ part: number; bytes: number }>> {
  const parts: Array<{ part: number; bytes: number }> = [];
  try {
    for await (const item of container.listBlobsFlat({ prefix: `${dayPrefix(key.day)}${key.sessionId}` })) {
      const parsed = parseBlobPath(item.name);
      if (parsed?.sessionId === key.sessionId && parsed.day === key.day) parts.push({ part: parsed.part, bytes: item.properties.contentLength ?? 0 });
    }
  } catch (error) {
    if (storageError(error).status === 404) return []; // no container yet
    throw error;
  }
  return parts.sort((a, b) => a.part - b.part);
}

/** Blob names grouped by session id, each group in part order. */
export function groupParts<T extends { sessionId: string; part: number }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.sessionId);
    if (group) group.push(item);
    else groups.set(item.sessionId, [item]);
  }
  for (const group of groups.values()) group.sort((a, b) => a.part - b.part);
  return groups;
}
