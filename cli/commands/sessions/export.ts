// `portcullis sessions export --from DATE --to DATE --out DIR`: copies the session-days of a date
// range (UTC, both included) into DIR with a manifest.json. Run it again to resume.
import { join, resolve } from 'node:path';
import { directorySink, exportSessions, MANIFEST_FILE } from '../../../shared/sessions/index.js';
import { parseDocumentedArgs, type Help } from '../../args.js';
import { UsageError, type Command } from '../../io.js';
import { parseDayRange, rangeFlags, rangeOptions } from './dates.js';
import { exportSigner } from './signing.js';
import { localStack, sessionStores, storageFlags, storageOptions, storageSettings } from './storage.js';
import { visible } from '../../../shared/platform/terminal-text.js';

const options = {
  from: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string' },
  'signing-key': { type: 'string' },
  ...rangeOptions,
  ...storageOptions,
} as const;

export const help: Help<typeof options> = {
  usage: 'portcullis sessions export --from DATE --to DATE --out DIR [--max-days N] [--signing-key KEY] [storage options]',
  about: 'Copies the session logs of those UTC days into DIR with a signed manifest (verify it with `portcullis sessions verify DIR`). Run beside `portcullis dev`, it finds the local stack\'s storage by itself.',
  flags: {
    from: ['DATE', 'the first UTC day (YYYY-MM-DD); required'],
    to: ['DATE', 'the last UTC day, included; required'],
    out: ['DIR', 'where the files go; required'],
    'signing-key': ['KEY', 'the manifest\'s signing key: a PEM file or a Key Vault key id (default: PORTCULLIS_SIGNING_KEY_ID, else the dev key in the state folder)'],
    ...rangeFlags,
    ...storageFlags,
  },
};

export const run: Command = async (args, io) => {
  const { values } = parseDocumentedArgs(args, options, help);
  if (values.from === undefined || values.to === undefined) throw new UsageError('--from DATE and --to DATE are required');
  const { from, to } = parseDayRange({ ...values, from: values.from, to: values.to });
  if (!values.out) throw new UsageError('--out DIR is required');
  const stores = sessionStores(storageSettings(values, io.env, await localStack(io, values.state)));
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
