// Argument parsing for commands: node:util parseArgs, with every mistake turned into a UsageError
// (one line, exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  config: { positionals?: number } = {},
) {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: (config.positionals ?? 0) > 0 });
    if (parsed.positionals.length > (config.positionals ?? 0)) {
      throw new UsageError(`unexpected argument "${parsed.positionals[config.positionals ?? 0]}"`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs messages are long and mention "--help"; keep the first sentence.
    throw new UsageError((error as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
}

/** `15m`, `2h`, `30s`, `1d` → seconds. */
export function parseTtl(text: string, flag: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new UsageError(`${flag} "${text}" is not a duration like 30s, 15m, 2h or 1d`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  if (seconds < 1) throw new UsageError(`${flag} must be at least 1s`);
  return seconds;
}
