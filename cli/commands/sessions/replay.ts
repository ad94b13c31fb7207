// `portcullis sessions replay ID [--date YYYY-MM-DD] [--dir DIR]`: one session as a timeline, read
// from storage (every day the index knows, or just --date) or from an export directory; the last
// line says whether the chain verifies, against its day's ledger where the day is sealed (exit 1
// when it does not). `portcullis sessions verify` also checks an export's signatures.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  blobPath,
  formatTimeline,
  ledgerPath,
  listParts,
  parseBlobPath,
  readSealedHeads,
  readSession,
  SESSION_CONTAINER,
  sealedHeads,
  sessionIdSchema,
  sessionRecord,
  type SealedHeads,
  type SessionRecord,
  type SessionStores,
} from '../../../shared/sessions/index.js';
import { parseDocumentedArgs, type Help } from '../../args.js';
import { UsageError, type Command } from '../../io.js';
import { visible } from '../../../shared/platform/terminal-text.js';
import { parseDay } from './dates.js';
import { localStack, sessionStores, storageFlags, storageOptions, storageSettings } from './storage.js';

const options = { date: { type: 'string' }, dir: { type: 'string' }, ...storageOptions } as const;

export const help: Help<typeof options> = {
  usage: 'portcullis sessions replay ID [--date DATE] [--dir DIR | storage options]',
  about: 'Prints one session\'s events in order, with the chain\'s verification, from the storage account or an export.',
  flags: {
    date: ['DATE', 'the UTC day the session is on (default: looked up in the index)'],
    dir: ['DIR', 'read an export (portcullis sessions export) instead of the storage account'],
    ...storageFlags,
  },
};

export const run: Command = async (args, io) => {
  const { values, positionals } = parseDocumentedArgs(args, options, help, { positionals: 1 });
  const id = positionals[0];
  if (!id) throw new UsageError('expected a session id: replay ID');
  if (!sessionIdSchema.safeParse(id).success) throw new UsageError(`"${visible(id)}" is not a session id`);
  const date = values.date === undefined ? undefined : parseDay(values.date, '--date');
  if (values.dir !== undefined && (values['connection-string'] !== undefined || values['account-url'] !== undefined)) {
    throw new UsageError('--dir reads an export; it takes no storage options');
  }
  const record = values.dir
    ? await fromDirectory(resolve(io.cwd, values.dir), id, date)
    : await fromStorage(sessionStores(storageSettings(values, io.env, await localStack(io, values.state))), id, date);
  if (!record) {
    io.stderr.write(`no session ${id}${date ? ` on ${date}` : ''}\n`);
    return 1;
  }
  for (const line of formatTimeline(record, { colour: io.isTTY })) io.stdout.write(line + '\n');
  return record.verified ? 0 : 1;
};

async function fromStorage(stores: SessionStores, id: string, date: string | undefined): Promise<SessionRecord | undefined> {
  if (!date) return readSession(stores, id);
  const container = stores.blobs.getContainerClient(SESSION_CONTAINER);
  const parts = await listParts(container, { sessionId: id, day: date });
  if (parts.length === 0) return undefined;
  const files = [];
  for (const part of parts) {
    const path = blobPath(date, id, part);
    files.push({ day: date, part, path, bytes: await container.getBlobClient(path).downloadToBuffer() });
  }
  return sessionRecord(id, files, {}, new Map([[date, await readSealedHeads(container, date)]]));
}

async function fromDirectory(dir: string, id: string, date: string | undefined): Promise<SessionRecord | undefined> {
  const names = await readdir(dir, { recursive: true }).catch(() => {
    throw new UsageError(`cannot read the directory ${dir}`);
  });
  const files = [];
  for (const name of names.map((n) => n.split(sep).join('/'))) {
    const key = parseBlobPath(name);
    if (key?.sessionId === id && (!date || key.day === date)) files.push({ day: key.day, part: key.part, path: name, bytes: await readFile(join(dir, name)) });
  }
  if (files.length === 0) return undefined;
  // An export carries the ledger of each day that was sealed when it was made.
  const sealed = new Map<string, SealedHeads>();
  for (const day of new Set(files.map((file) => file.day))) {
    const ledger = await readFile(join(dir, ledgerPath(day))).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    sealed.set(day, ledger && sealedHeads(ledger, day));
  }
  return sessionRecord(id, files, {}, sealed);
}
