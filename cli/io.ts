// What a CLI command gets to talk to the world with, so commands run the same in tests.
import { randomBytes } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stdout is a terminal (progress and colour only then). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type Command = (args: string[], io: CliIo) => Promise<number>;

/** A problem with how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure of the command's work rather than of how it was called: printed as one line, exit code 1. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

/**
 * Writes an output file whole or not at all: into a temporary file beside it (same file system),
 * renamed over it once complete, so that a failed write (disk full, a kill) leaves the earlier
 * file as it was instead of a truncated one.
 */
export async function writeOutputFile(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    // The temporary name would only puzzle: name the file asked for.
    throw new CommandFailure(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * A reader that stops reading (`portcullis mask < big | head`) closes the pipe: the command's job
 * is done, so it ends quietly instead of dying on EPIPE with a stack trace.
 */
const guarded = new WeakSet<NodeJS.WriteStream>();

function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/**
 * Node gives a process whose stdin is a directory (`portcullis mask < /`) an empty stream: that
 * would read as empty input, so it is made the read error it is.
 */
function stdin(): NodeJS.ReadableStream {
  let directory: boolean;
  try {
    directory = fstatSync(0).isDirectory();
  } catch {
    // No fd 0 to ask about: process.stdin is whatever Node made of that.
    directory = false;
  }
  if (!directory) return process.stdin;
  return new Readable({
    read() {
      this.destroy(Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' }));
    },
  });
}

export const processIo = (): CliIo => {
  endQuietlyOnClosedPipe(process.stdout);
  return {
  stdin: stdin(),
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
  cwd: process.cwd(),
  };
};
