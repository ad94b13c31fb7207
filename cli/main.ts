// Dispatches `portcullis <command> …` to the command modules, loaded on demand so that a light
// command (token, mask) does not pay for the dev stack's imports.
import { readFileSync } from 'node:fs';
import { visible } from '../shared/platform/terminal-text.js';
import { HelpRequested } from './args.js';
import { CommandFailure, processIo, UsageError, type CliIo, type Command } from './io.js';

const commands: Record<string, { summary: string; load: () => Promise<{ run: Command }> }> = {
  dev: { summary: 'run the whole control plane locally (npm start)', load: () => import('./commands/dev.js') },
  token: { summary: 'print a dev-issuer token: --sub NAME --groups a,b [--ttl 15m] [--aud X] [--claim K=V] [--state DIR]', load: () => import('./commands/token.js') },
  policy: { summary: 'policy check FILE | schema | test POLICY TESTS… | explain POLICY --case FILE[:NAME] | what-if --policy FILE', load: () => import('./commands/policy.js') },
  mask: { summary: 'mask secrets and PII in FILE… or stdin [--jsonl] [--json] [--rules FILE]', load: () => import('./commands/mask.js') },
  approvals: { summary: 'approvals list | show ID | approve ID | deny ID: a reviewer\'s inbox', load: () => import('./commands/approvals.js') },
  sessions: { summary: 'sessions export | verify | replay', load: () => import('./commands/sessions.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'usage: portcullis <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command and subcommand takes --help; --version prints the version.',
  ].join('\n');
}

/** The package's version, read where the command is installed. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`portcullis ${version()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`portcullis: unknown command "${name}" (try: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  try {
    const { run } = await command.load();
    return await run(args, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout.write(error.text);
      return 0;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`portcullis ${name}: ${error.message}\n`);
      return 2;
    }
    // What went wrong with the work (a file that cannot be written or read): one line, not a stack.
    if (error instanceof CommandFailure || isSystemError(error)) {
      io.stderr.write(`portcullis ${name}: ${visible(error.message.split('\n')[0]!)}\n`);
      return 1;
    }
    throw error;
  }
}

/** An error of a system call (ENOENT, EISDIR, EACCES…): its message names the call and the path. */
const isSystemError = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
