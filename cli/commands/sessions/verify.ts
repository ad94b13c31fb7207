// `portcullis sessions verify DIR`: checks an export offline. Prints `FILE ok`, or the first broken
// event of a file as `FILE:LINE what is wrong`; exit 1 when anything is broken.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { verifyExport, type ExportCheck } from '../../../shared/sessions/index.js';
import { parseCommandArgs } from '../../args.js';
import { UsageError, type Command } from '../../io.js';

export const run: Command = async (args, io) => {
  const { positionals } = parseCommandArgs(args, {}, { positionals: 1 });
  const dir = positionals[0];
  if (!dir) throw new UsageError('expected the export directory: verify DIR');
  const path = resolve(io.cwd, dir);
  if (!(await stat(path).catch(() => undefined))?.isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const checks = await verifyExport(path);
  const paint = (code: number, text: string) => (io.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);
  for (const check of checks) io.stdout.write(formatCheck(check, paint) + '\n');
  const broken = checks.filter((check) => check.message !== undefined).length;
  io.stdout.write(broken === 0 ? `${checks.length} files verify\n` : paint(31, `${broken} of ${checks.length} checks failed`) + '\n');
  return broken === 0 ? 0 : 1;
};

export function formatCheck(check: ExportCheck, paint: (code: number, text: string) => string = (_code, text) => text): string {
  if (check.message === undefined) return `${check.file} ${paint(32, 'ok')}`;
  return `${check.file}${check.line ? `:${check.line}` : ''} ${paint(31, check.message)}`;
}
