// Exports the session-days of a date range: each blob's bytes as they are (so chains verify
// offline), then manifest.json, last. A re-run skips a file already in the sink when its chain is
// intact, it has the blob's size and its last line is the blob's last line: that line's hash
// covers every line before it, so the two are the same bytes. The days' ledgers that exist
// (shared/sessions/ledger.ts) are copied too, and the manifest is signed over every field.
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { ExportSink } from './export-sinks.js';
import { createFileStats, tap, type FileStats } from './file-stats.js';
import { readLines } from './lines.js';
import { ledgerPath } from './ledger.js';
import { formatManifest, MANIFEST_FILE, type LedgerEntry, type Manifest, type ManifestEntry } from './manifest.js';
import { mapLimit } from './map-limit.js';
import { dayPrefix, daySchema, daysBetween, parseBlobPath, SESSION_CONTAINER } from './names.js';
import { storageError } from './recording-error.js';
import { sign, type Signer } from './signature.js';
import { createChainVerifier } from './verify.js';

export interface ExportProgress {
  done: number;
  total: number;
  path: string;
  /** Already exported by an earlier run. */
  skipped: boolean;
}

interface SourceBlob {
  path: string;
  size: number;
  sessionId: string;
  day: string;
  /** Which blob of the session-day (names.ts); a later one is verified from its first line on. */
  part: number;
}

export async function exportSessions(
  source: BlobServiceClient,
  range: { from: string; to: string },
  sink: ExportSink,
  signer: Signer,
  progress?: (p: ExportProgress) => void,
  now: () => Date = () => new Date(),
): Promise<Manifest> {
  if (!daySchema.safeParse(range.from).success || !daySchema.safeParse(range.to).success || range.from > range.to) {
    throw new RangeError(`not a range of days: ${range.from}..${range.to}`);
  }
  const container = source.getContainerClient(SESSION_CONTAINER);
  const blobs = await listDays(container, daysBetween(range.from, range.to));
  let done = 0;
  const files = await mapLimit(blobs, 8, async (blob) => {
    const resumed = await resume(container, sink, blob);
    const stats = resumed ?? (await copy(container, sink, blob));
    progress?.({ done: ++done, total: blobs.length, path: blob.path, skipped: resumed !== undefined });
    return entry(blob, stats);
  });
  const ledgers = await copyLedgers(container, sink, daysBetween(range.from, range.to));
  const manifest: Manifest = await sign({ v: 2 as const, from: range.from, to: range.to, createdAt: now().toISOString(), files, ledgers }, signer);
  await sink.write(MANIFEST_FILE, [Buffer.from(formatManifest(manifest))]);
  return manifest;
}

/** The ledgers of the days that have one (a day not yet sealed has none), copied as they are. */
async function copyLedgers(container: ContainerClient, sink: ExportSink, days: string[]): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for (const day of days) {
    const path = ledgerPath(day);
    let bytes: Buffer;
    try {
      bytes = await container.getBlobClient(path).downloadToBuffer();
    } catch (error) {
      if (storageError(error).status === 404) continue;
      throw error;
    }
    await sink.write(path, [bytes]);
    const stats = createFileStats();
    stats.add(bytes);
    const { sha256 } = stats.result();
    entries.push({ path, day, bytes: bytes.length, sha256 });
  }
  return entries;
}

async function listDays(container: ContainerClient, days: string[]): Promise<SourceBlob[]> {
  const blobs: SourceBlob[] = [];
  try {
    for (const day of days) {
      for await (const item of container.listBlobsFlat({ prefix: dayPrefix(day) })) {
        const key = parseBlobPath(item.name);
        if (key) blobs.push({ path: item.name, size: item.properties.contentLength ?? 0, ...key });
      }
    }
  } catch (error) {
    if (storageError(error).status === 404) return []; // no container: nothing was ever recorded
    throw error;
  }
  return blobs;
}

async function copy(container: ContainerClient, sink: ExportSink, blob: SourceBlob): Promise<FileStats> {
  const stats = createFileStats();
  // Exactly the listed length: a blob still being appended to is exported up to a block boundary.
  const response = await container.getBlobClient(blob.path).download(0, blob.size || undefined, { maxRetryRequests: 5 });
  await sink.write(blob.path, tap(response.readableStreamBody as AsyncIterable<Buffer>, stats));
  return stats.result();
}

async function resume(container: ContainerClient, sink: ExportSink, blob: SourceBlob): Promise<FileStats | undefined> {
  const existing = await sink.read(blob.path);
  if (!existing) return undefined;
  const stats = createFileStats();
  const verifier = createChainVerifier(blob);
  for await (const line of readLines(tap(existing, stats))) verifier.line(line.text, line.terminated);
  const file = stats.result();
  if (verifier.end().length > 0 || file.bytes !== blob.size || file.lastLine.length === 0) return undefined;
  const tail = await container.getBlobClient(blob.path).downloadToBuffer(blob.size - file.lastLine.length, file.lastLine.length);
  return tail.equals(file.lastLine) ? file : undefined;
}

function entry(blob: SourceBlob, stats: FileStats): ManifestEntry {
  return {
    path: blob.path,
    sessionId: blob.sessionId,
    day: blob.day,
    bytes: stats.bytes,
    sha256: stats.sha256,
    events: stats.events,
    ...(stats.head ? { head: stats.head } : {}),
  };
}
