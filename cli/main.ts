// Dispatches `portcullis <command> …` to the command modules, loaded on demand so that a light
// command (token, mask) does not pay for the dev stack's imports.
import { processIo, UsageError, type CliIo, type Command } from './io.js';

const commands: Record<string, { summary: string; load: () => Promise<{ run: Command }> }> = {
  mask: { summary: 'mask secrets and PII in stdin', load: () => import('./commands/mask.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'usage: portcullis <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
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
    if (error instanceof UsageError) {
      io.stderr.write(`portcullis ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
