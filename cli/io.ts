// What a CLI command gets to talk to the world with, so commands run the same in tests.
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

export const processIo = (): CliIo => {
  endQuietlyOnClosedPipe(process.stdout);
  return {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
  cwd: process.cwd(),
  };
};
