// `portcullis sessions export | verify | replay`: the auditor's tools for the session log.
import { visible } from '../../shared/platform/terminal-text.js';
import { HelpRequested, pickSubcommand, type Subcommand } from '../args.js';
import { UsageError, type Command } from '../io.js';

export const subcommands: Record<string, Subcommand> = {
  export: { summary: 'export --from DATE --to DATE --out DIR: copy session logs with a signed manifest', load: () => import('./sessions/export.js') },
  verify: { summary: 'verify DIR: check an export\'s signature, hashes and chains', load: () => import('./sessions/verify.js') },
  replay: { summary: 'replay ID: one session\'s events in order', load: () => import('./sessions/replay.js') },
};

export const run: Command = async (args, io) => {
  const { sub, load, rest } = pickSubcommand('sessions', subcommands, args);
  try {
    return await (await load()).run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof HelpRequested) throw error;
    const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') {
      io.stderr.write(`portcullis sessions ${sub}: the storage account did not answer (${code}); if it is the local stack's, is portcullis dev still running?\n`);
      return 1;
    }
    // Storage and sign-in failures: one line people can act on, not a stack.
    // The message may quote a recorded value: shown through `visible`, never as raw controls.
    io.stderr.write(`portcullis sessions ${sub}: ${visible((error as Error).message.split('\n')[0]!)}\n`);
    return 1;
  }
};
