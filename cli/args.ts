// Argument parsing for commands: node:util parseArgs, with every mistake turned into a UsageError
// (one line, exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type Command } from './io.js';

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
    // parseArgs messages are long, over lines, and mention "--help"; keep the first sentence.
    throw new UsageError((error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, ''));
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

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * What `--help` prints for a command: its usage line, what it does, and every option. `flags` must
 * name every option (the type checks it), so no option goes undocumented; a string option's entry
 * is [placeholder, description].
 */
export interface Help<T extends Options> {
  usage: string;
  about: string;
  flags: { [K in keyof T]: T[K]['type'] extends 'string' ? readonly [string, string] : string };
}

/** Thrown when `--help` or `-h` is given: main prints the text to stdout and exits 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  constructor(readonly text: string) {
    super('help requested');
  }
}

/** Whether the arguments ask for help (before a `--`, after which everything is a positional). */
export function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

export function renderHelp<T extends Options>(help: Help<T>, options: T): string {
  const rows = Object.entries(help.flags).map(([name, entry]) => {
    const option = options[name]!;
    const [placeholder, text] = typeof entry === 'string' ? [undefined, entry] : (entry as readonly [string, string]);
    const shown = `${option.short ? `-${option.short}, ` : ''}--${name}${placeholder ? ` ${placeholder}` : ''}`;
    const repeat = option.multiple ? ' (repeatable)' : '';
    const fallback = option.default !== undefined && !(Array.isArray(option.default) && option.default.length === 0) && option.default !== false
      ? ` (default: ${String(option.default)})`
      : '';
    return [shown, `${text}${repeat}${fallback}`] as const;
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([shown]) => shown.length));
  return [`usage: ${help.usage}`, '', help.about, '', 'options:', ...rows.map(([shown, text]) => `  ${shown.padEnd(width)}  ${text}`), ''].join('\n');
}

/** parseCommandArgs for a command that documents itself: `--help` anywhere shows the help instead. */
export function parseDocumentedArgs<T extends Options>(args: string[], options: T, help: Help<T>, config: { positionals?: number } = {}) {
  if (asksForHelp(args)) throw new HelpRequested(renderHelp(help, options));
  return parseCommandArgs(args, options, config);
}

/** A command made of subcommands (`policy check`, `sessions export`): each documented by one line. */
export interface Subcommand {
  summary: string;
  load: () => Promise<{ run: Command }>;
}

/** Picks the subcommand; `--help` (or none) lists them. */
export function pickSubcommand(command: string, subcommands: Record<string, Subcommand>, args: string[]): { sub: string; load: Subcommand['load']; rest: string[] } {
  const [sub, ...rest] = args;
  const listing = () => {
    const width = Math.max(...Object.keys(subcommands).map((name) => name.length));
    return [
      `usage: portcullis ${command} <subcommand> [options]`,
      '',
      ...Object.entries(subcommands).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`),
      '',
      `Each takes --help: portcullis ${command} <subcommand> --help`,
      '',
    ].join('\n');
  };
  if (sub === '--help' || sub === '-h' || sub === 'help') throw new HelpRequested(listing());
  const found = sub === undefined ? undefined : subcommands[sub];
  if (!found) {
    const names = Object.keys(subcommands).join(', ');
    throw new UsageError(sub ? `unknown subcommand "${sub}" (${names})` : `expected a subcommand: ${names} (portcullis ${command} --help)`);
  }
  return { sub: sub!, load: found.load, rest };
}
