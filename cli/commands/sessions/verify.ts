// `portcullis sessions verify DIR [--public-key FILE]…`: checks an export offline against the keys
// given. Prints `FILE ok` (with the key that signed the manifest or sealed a ledger), or the first
// problem of a file as `FILE:LINE what is wrong`; exit 1 when anything is broken, the manifest
// is unsigned, or a signature is by a key not given.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { visible } from '../../../shared/platform/terminal-text.js';
import { verifyExport, type ExportCheck } from '../../../shared/sessions/index.js';
import { parseDocumentedArgs, type Help } from '../../args.js';
import { UsageError, type Command } from '../../io.js';
import { trustedKeys } from './signing.js';

const options = { 'public-key': { type: 'string', multiple: true }, state: { type: 'string' } } as const;

export const help: Help<typeof options> = {
  usage: 'portcullis sessions verify DIR [--public-key FILE]… [--state DIR]',
  about: 'Checks an export: the manifest\'s signature, each file\'s hash, and each session\'s hash chain (exit 1 when one fails, saying where).',
  flags: {
    'public-key': ['FILE', 'a public key (PEM) the manifest may be signed with'],
    state: ['DIR', 'the state folder of portcullis dev, whose dev signing key is trusted when no --public-key is given (default: .portcullis)'],
  },
};

export const run: Command = async (args, io) => {
  const { values, positionals } = parseDocumentedArgs(args, options, help, { positionals: 1 });
  const dir = positionals[0];
  if (!dir) throw new UsageError('expected the export directory: verify DIR');
  const path = resolve(io.cwd, dir);
  if (!(await stat(path).catch(() => undefined))?.isDirectory()) throw new UsageError(`${visible(dir)} is not a directory`);
  const checks = await verifyExport(path, await trustedKeys(io, values));
  const paint = (code: number, text: string) => (io.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);
  for (const check of checks) io.stdout.write(formatCheck(check, paint) + '\n');
  const broken = checks.filter((check) => check.message !== undefined).length;
  const files = checks.filter((check) => check.note === undefined).length;
  io.stdout.write(broken === 0 ? `${files} files verify\n` : paint(31, `${broken} of ${checks.length} checks failed`) + '\n');
  return broken === 0 ? 0 : 1;
};

/** One check as a line; file names and messages (which may quote recorded values) are shown through `visible`. */
export function formatCheck(check: ExportCheck, paint: (code: number, text: string) => string = (_code, text) => text): string {
  const file = visible(check.file);
  if (check.message === undefined) return check.note === undefined ? `${file} ${paint(32, 'ok')}` : `${file} ${paint(32, 'ok')} (${visible(check.note)})`;
  return `${file}${check.line ? `:${check.line}` : ''} ${paint(31, visible(check.message))}`;
}
