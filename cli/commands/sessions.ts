// `portcullis sessions export | verify | replay`: the auditor's tools for the session log.
import { visible } from '../../shared/platform/terminal-text.js';
import { UsageError, type Command } from '../io.js';

const subcommands: Record<string, () => Promise<{ run: Command }>> = {
  export: () => import('./sessions/export.js'),
  verify: () => import('./sessions/verify.js'),
  replay: () => import('./sessions/replay.js'),
};

export const run: Command = async (args, io) => {
  const [sub, ...rest] = args;
  const load = sub === undefined ? undefined : subcommands[sub];
  if (!load) {
    throw new UsageError(
      sub
        ? `unknown subcommand "${sub}" (export, verify, replay)`
        : 'expected a subcommand: export --from DATE --to DATE --out DIR, verify DIR, or replay ID',
    );
  }
  try {
    return await (await load()).run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Storage and sign-in failures: one line people can act on, not a stack.
    // The message may quote a recorded value: shown through `visible`, never as raw controls.
    io.stderr.write(`portcullis sessions ${sub}: ${visible((error as Error).message.split('\n')[0]!)}\n`);
    return 1;
  }
};
