// An input of `portcullis mask`, a file or stdin, read the way its mode needs: whole, for JSON
// (its structure is the whole text), or a chunk at a time, for text masked as it is read.
import { constants, type Stats } from 'node:fs';
import { access, open, stat, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../io.js';

export interface MaskInput {
  /** The first byte that is not JSON whitespace (past a byte order mark); undefined if none. */
  firstNonBlank(): Promise<number | undefined>;
  /** Every byte from the start, in a buffer of its own. */
  whole(): Promise<Buffer>;
  /** Every byte from the start, a chunk at a time, each valid until the next is asked for. */
  chunks(): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/** Bytes read at a time from a file, into one buffer used again for each read. */
const READ_SIZE = 1 << 20;

const cannotRead = (file: string, error: unknown) => new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);

/**
 * Fails unless `file` is a file this process may read: asked of every input before anything is
 * written, so that a bad second input does not fail the command after the first one's masked
 * text is out. (Checked rather than opened, so that a thousand inputs hold no thousand files open.)
 */
export async function checkInput(file: string, cwd: string): Promise<void> {
  const path = resolve(cwd, file);
  let info: Stats;
  try {
    await access(path, constants.R_OK);
    info = await stat(path);
  } catch (error) {
    throw cannotRead(file, error);
  }
  if (info.isDirectory()) throw new UsageError(`cannot read ${file}: EISDIR`);
}

/** A file, opened at once so that a missing one is a clear error before anything is written. */
export async function fileInput(file: string, cwd: string): Promise<MaskInput> {
  const failed = (error: unknown) => cannotRead(file, error);
  let handle: FileHandle;
  try {
    handle = await open(resolve(cwd, file), 'r');
  } catch (error) {
    throw failed(error);
  }
  let buffer: Buffer | undefined;
  // Reads at a position never move the file's own, so whole() still starts at the beginning.
  async function* chunks(): AsyncIterable<Buffer> {
    buffer ??= Buffer.allocUnsafe(READ_SIZE);
    for (let position = 0; ; ) {
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(buffer, 0, buffer.length, position));
      } catch (error) {
        throw failed(error);
      }
      if (read === 0) return;
      position += read;
      yield buffer.subarray(0, read);
    }
  }
  return {
    async firstNonBlank() {
      let start = true;
      for await (const chunk of chunks()) {
        const found = firstNonBlank(chunk, start);
        if (found !== undefined) return found;
        start = false;
      }
      return undefined;
    },
    async whole() {
      try {
        return await handle.readFile();
      } catch (error) {
        throw failed(error);
      }
    },
    chunks,
    close: () => handle.close(),
  };
}

/** A stream (stdin), its chunks kept only while they are needed to decide how to read it. */
export function streamInput(stream: NodeJS.ReadableStream): MaskInput {
  const source = (async function* () {
    try {
      for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    } catch (error) {
      // A directory on stdin (`mask < /`) is bad input, as a directory named as FILE is.
      throw cannotRead('stdin', error);
    }
  })();
  const seen: Buffer[] = [];
  return {
    async firstNonBlank() {
      for (let r = await source.next(); !r.done; r = await source.next()) {
        seen.push(r.value);
        const found = firstNonBlank(r.value, seen.length === 1);
        if (found !== undefined) return found;
      }
      return undefined;
    },
    async whole() {
      // Copied even from one chunk: the output is written into these bytes, and a chunk may be its writer's own.
      for await (const chunk of source) seen.push(chunk);
      return Buffer.concat(seen.splice(0));
    },
    async *chunks() {
      yield* seen.splice(0);
      yield* source;
    },
    close: async () => undefined,
  };
}

/** The first byte that is not JSON whitespace (past a byte order mark at the very start), if any. */
function firstNonBlank(bytes: Buffer, atStart: boolean): number | undefined {
  let i = atStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  }
  return undefined;
}
