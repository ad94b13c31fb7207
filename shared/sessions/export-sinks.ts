// Where an export goes: a local directory (the CLI) or the `exports` container (the daily timer).
// Both write each file whole or not at all, and can hand back what an earlier run wrote so the
// export can resume.
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContainerClient } from '@azure/storage-blob';
import { storageError } from './recording-error.js';

export interface ExportSink {
  /** Where the export goes, for messages. */
  readonly location: string;
  /** The bytes of a file an earlier run wrote, or undefined. */
  read(path: string): Promise<AsyncIterable<Buffer> | undefined>;
  /** Writes a file atomically. */
  write(path: string, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void>;
}

/** Files under `dir`, each written to a temporary name and renamed into place. */
export function directorySink(dir: string): ExportSink {
  return {
    location: dir,
    async read(path) {
      const file = join(dir, path);
      try {
        await access(file);
      } catch {
        return undefined;
      }
      return createReadStream(file);
    },
    async write(path, chunks) {
      const file = join(dir, path);
      const temporary = join(dirname(file), `.${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
      await mkdir(dirname(file), { recursive: true });
      try {
        await pipeline(Readable.from(chunks), createWriteStream(temporary, { flags: 'wx' }));
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
  };
}

/**
 * Block blobs under `prefix` in a container. A block blob appears only when its upload commits, and
 * is created only if absent (If-None-Match: *): an export never replaces an earlier one.
 */
export function containerSink(container: ContainerClient, prefix: string): ExportSink {
  return {
    location: `${container.containerName}/${prefix}`,
    async read(path) {
      try {
        const response = await container.getBlobClient(prefix + path).download();
        return response.readableStreamBody as AsyncIterable<Buffer> | undefined;
      } catch (error) {
        if (storageError(error).status === 404) return undefined;
        throw error;
      }
    },
    async write(path, chunks) {
      await container.getBlockBlobClient(prefix + path).uploadStream(Readable.from(chunks), undefined, undefined, {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: path.endsWith('.json') ? 'application/json' : 'application/x-ndjson' },
      });
    },
  };
}
