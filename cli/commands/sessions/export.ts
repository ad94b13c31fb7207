// `portcullis sessions export --from DATE --to DATE --out DIR`: copies the session-days of a date
// range (UTC, both included) into DIR with a manifest.json. Run it again to resume.
import { join, resolve } from 'node:path';
import { directorySink, exportSessions, MANIFEST_FILE } from '../../../shared/sessions/index.js';
import { parseCommandArgs } from '../../args.js';
import { UsageError, type Command } from '../../io.js';
import { parseDay } from './dates.js';
import { exportSigner } from './signing.js';
import { sessionStores, storageOptions, storageSettings } from './storage.js';
import { visible } from '../../../shared/platform/terminal-text.js';

export const run: Command = async (args, io) => {
  const { values } = parseCommandArgs(args, {
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    'signing-key': { type: 'string' },
    state: { type: 'string' },
    ...storageOptions,
  });
  if (values.from === undefined || values.to === undefined) throw new UsageError('--from DATE and --to DATE are required');
  const from = parseDay(values.from, '--from');
  const to = parseDay(values.to, '--to');
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  if (!values.out) throw new UsageError('--out DIR is required');
  const stores = sessionStores(storageSettings(values, io.env));
  const out = resolve(io.cwd, values.out);
  const signer = await exportSigner(io, values);
  let skipped = 0;
  const manifest = await exportSessions(stores.blobs, { from, to }, directorySink(out), signer, (progress) => {
    if (progress.skipped) skipped += 1;
    if (io.isTTY) io.stdout.write(`\r exported ${progress.done}/${progress.total} sessions`);
  });
  if (io.isTTY && manifest.files.length > 0) io.stdout.write('\n');
  const already = skipped > 0 ? ` (${skipped} already there)` : '';
  io.stdout.write(`exported ${manifest.files.length} session files${already} for ${from}..${to}: ${visible(join(out, MANIFEST_FILE))}\n`);
  return 0;
};
