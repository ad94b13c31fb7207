// The daily ledger: the chain heads of every session-day of one UTC day, anchored outside the
// session blobs. After the daily export closes a day it appends one `head` line per session-day
// (session id, last seq, last hash, event count, size and SHA-256 of the blob) to the append blob
// `ledger/yyyy/mm/dd.jsonl` in the `sessions` container (same immutability policy), then a `seal`
// line signed by the signing key. The ledger's lines are hash-chained like a session's (genesis:
// SHA-256 of `portcullis/ledger/v1\n{day}`), so the seal's signature covers every head before it.
// A rewritten or deleted session then disagrees with a ledger nobody without the key can re-sign.
import type { ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { BoundedMap } from './bounded-map.js';
import { canonicalJson } from './canonical-json.js';
import { lineHash, sha256Hex } from './chain.js';
import { createFileStats, tap, type FileStats } from './file-stats.js';
import { readLines, splitLines } from './lines.js';
import { dayPrefix, daySchema, parseBlobPath } from './names.js';
import { groupParts } from './parts.js';
import { storageError } from './recording-error.js';
import { sessionIdSchema } from './schema.js';
import { checkSignature, sign, signatureSchema, type Signer, type TrustedKey } from './signature.js';

export const LEDGER_PREFIX = 'ledger/';

/** `ledger/yyyy/mm/dd.jsonl` */
export const ledgerPath = (day: string): string => `${LEDGER_PREFIX}${day.replaceAll('-', '/')}.jsonl`;

export function parseLedgerPath(path: string): string | undefined {
  const match = /^ledger\/(\d{4})\/(\d{2})\/(\d{2})\.jsonl$/.exec(path);
  const day = match && `${match[1]}-${match[2]}-${match[3]}`;
  return day && daySchema.safeParse(day).success ? day : undefined;
}

export const ledgerGenesis = (day: string): string => sha256Hex(`portcullis/ledger/v1\n${day}`);

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const chained = { v: z.literal(1), day: daySchema, seq: z.int().nonnegative(), prev: hex64, hash: hex64 };

const headSchema = z.strictObject({
  ...chained,
  type: z.literal('head'),
  sessionId: sessionIdSchema,
  events: z.int().nonnegative(),
  lastSeq: z.int().min(-1),
  lastHash: hex64.optional(),
  bytes: z.int().nonnegative(),
  sha256: hex64,
  /** Blobs of the session-day, when more than one (names.ts). */
  parts: z.int().min(2).optional(),
});

const sealSchema = z.strictObject({ ...chained, type: z.literal('seal'), sessions: z.int().nonnegative(), signature: signatureSchema });

export const ledgerLineSchema = z.discriminatedUnion('type', [headSchema, sealSchema]);
export type LedgerHead = z.infer<typeof headSchema>;
type LedgerLine = z.infer<typeof ledgerLineSchema>;

const seal = (line: Omit<LedgerLine, 'hash'>): string => canonicalJson({ ...line, hash: lineHash(line) });

/**
 * Writes the ledger of `day` (which must be closed) unless it is already sealed; a ledger an
 * earlier run left unsealed is continued, never rewritten. Returns the number of session-days.
 */
export async function writeLedger(container: ContainerClient, day: string, signer: Signer): Promise<number> {
  if (!(await container.exists())) return 0; // nothing was ever recorded
  const blob = container.getAppendBlobClient(ledgerPath(day));
  const existing = await readLedger(container, day);
  if (existing?.sealed) return existing.heads.length;
  if (!existing) {
    try {
      await blob.create({ conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'application/x-ndjson' } });
    } catch (error) {
      if (storageError(error).status !== 409) throw error;
    }
  }
  const done = new Set(existing?.heads.map((h) => h.sessionId));
  let seq = existing?.nextSeq ?? 0;
  let prev = existing?.head ?? ledgerGenesis(day);
  let position = existing?.bytes ?? 0;
  const lines: string[] = [];
  const blobs: Array<{ name: string; sessionId: string; part: number }> = [];
  for await (const item of container.listBlobsFlat({ prefix: dayPrefix(day) })) {
    const key = parseBlobPath(item.name);
    if (key && !done.has(key.sessionId)) blobs.push({ name: item.name, ...key });
  }
  for (const [sessionId, parts] of groupParts(blobs)) {
    const stats = createFileStats();
    for (const part of parts) {
      const download = await container.getBlobClient(part.name).download();
      for await (const _chunk of tap(download.readableStreamBody as AsyncIterable<Buffer>, stats));
    }
    const file = stats.result();
    const text = seal({
      v: 1, type: 'head', day, seq, prev, sessionId,
      events: file.events, lastSeq: file.lastSeq ?? file.events - 1, ...(file.head ? { lastHash: file.head } : {}), bytes: file.bytes, sha256: file.sha256,
      ...(parts.length > 1 ? { parts: parts.length } : {}),
    } as Omit<LedgerHead, 'hash'>);
    lines.push(text);
    prev = (JSON.parse(text) as { hash: string }).hash;
    seq += 1;
  }
  const heads = done.size + lines.length;
  const unsigned = { v: 1 as const, type: 'seal' as const, day, seq, prev, sessions: heads };
  lines.push(seal(await sign(unsigned, signer)));
  // Append blocks of at most 4 MiB, each on condition that nobody else appended in between.
  let block: string[] = [];
  const flush = async () => {
    if (block.length === 0) return;
    const body = Buffer.from(block.map((l) => l + '\n').join(''));
    await blob.appendBlock(body, body.length, { conditions: { appendPosition: position } });
    position += body.length;
    block = [];
  };
  for (const line of lines) {
    if (block.reduce((n, l) => n + l.length + 1, 0) + line.length + 1 > 4 * 1024 * 1024) await flush();
    block.push(line);
  }
  await flush();
  return heads;
}

interface StoredLedger {
  heads: LedgerHead[];
  sealed: boolean;
  nextSeq: number;
  head: string;
  bytes: number;
}

/** The ledger of `day` as stored; undefined when it was not written. */
async function downloadLedger(container: ContainerClient, day: string): Promise<Buffer | undefined> {
  try {
    return await container.getBlobClient(ledgerPath(day)).downloadToBuffer();
  } catch (error) {
    if (storageError(error).status === 404) return undefined;
    throw error;
  }
}

async function readLedger(container: ContainerClient, day: string): Promise<StoredLedger | undefined> {
  const bytes = await downloadLedger(container, day);
  if (!bytes) return undefined;
  const check = checkLedgerLines(splitLines(bytes), day, undefined);
  if (check.problem) throw new Error(`${ledgerPath(day)}:${check.problem.line} ${check.problem.message}`);
  return { heads: check.heads, sealed: check.sealed, nextSeq: check.nextSeq, head: check.head, bytes: bytes.length };
}

export interface LedgerCheck {
  heads: LedgerHead[];
  /** The key that sealed it, when checked against trusted keys. */
  sealedBy?: string;
  sealed: boolean;
  nextSeq: number;
  head: string;
  problem?: { line: number; message: string };
}

/**
 * Checks a ledger's lines: schema, canonical form, seq, chain, the seal last and signed by a
 * trusted key (`trusted` undefined: the signature is not checked, as when the writer resumes).
 */
export function checkLedgerLines(lines: Iterable<{ text: string; terminated: boolean }>, day: string, trusted: TrustedKey[] | undefined): LedgerCheck {
  const heads: LedgerHead[] = [];
  let [seq, head, lineNo, sealed] = [0, ledgerGenesis(day), 0, false];
  let sealedBy: string | undefined;
  const fail = (message: string): LedgerCheck => ({ heads, sealed, nextSeq: seq, head, problem: { line: lineNo, message } });
  for (const { text, terminated } of lines) {
    lineNo += 1;
    if (sealed) return fail('follows the seal (the ledger was appended to after it was sealed)');
    if (!terminated) return fail('is not terminated by a newline (the file was cut short)');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail('is not valid JSON');
    }
    const parsed = ledgerLineSchema.safeParse(value);
    if (!parsed.success) return fail(`does not match the ledger schema (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message})`);
    const line = parsed.data;
    if (text !== canonicalJson(value)) return fail('is not in canonical form (its bytes were changed)');
    if (line.day !== day) return fail(`is for ${line.day}, not ${day}`);
    if (line.seq !== seq) return fail(`seq is ${line.seq}, expected ${seq} (a line is missing, added or out of order)`);
    if (line.prev !== head) return fail(lineNo === 1 ? `prev is not the genesis of the ledger of ${day}` : `prev does not match the hash of line ${lineNo - 1}`);
    const { hash, ...unsealed } = line;
    if (lineHash(unsealed) !== hash) return fail('hash does not match the line (its content was changed)');
    if (line.type === 'head') heads.push(line);
    else {
      if (line.sessions !== heads.length) return fail(`seals ${line.sessions} session-days, but the ledger lists ${heads.length}`);
      if (trusted) {
        const { hash: _hash, ...document } = line;
        const verdict = checkSignature(document, trusted);
        if ('problem' in verdict) return fail(`seal ${verdict.problem}`);
        sealedBy = verdict.keyId;
      }
      sealed = true;
    }
    [seq, head] = [seq + 1, hash];
  }
  return { heads, sealed, sealedBy, nextSeq: seq, head };
}

/** Why a session-day's files, read as one (`all`), are not what the ledger of `day` sealed; undefined when they are. */
export function headMismatch(day: string, all: FileStats, head: LedgerHead): string | undefined {
  if (head.events !== all.events || head.lastHash !== all.head) {
    return `does not match the chain head the ledger of ${day} sealed (${all.events} events, the ledger says ${head.events}): it was rewritten`;
  }
  if (head.bytes !== all.bytes || head.sha256 !== all.sha256) return `does not match the size or SHA-256 in the ledger of ${day}`;
  return undefined;
}

/**
 * What the ledger of a day says of its sessions, for readers of the log: undefined while the day
 * is not sealed; a problem when its ledger does not check (read without its signature: a reader
 * holds no trusted keys; `portcullis sessions verify` checks it).
 */
export type SealedHeads = { heads: Map<string, LedgerHead> } | { problem: string } | undefined;

/** The sealed heads of `day` from its ledger's bytes, for readers (SealedHeads). */
export function sealedHeads(ledger: Buffer, day: string): SealedHeads {
  const check = checkLedgerLines(splitLines(ledger), day, undefined);
  if (check.problem) return { problem: `${ledgerPath(day)} line ${check.problem.line} ${check.problem.message}` };
  return check.sealed ? { heads: new Map(check.heads.map((head) => [head.sessionId, head])) } : undefined;
}

// A sealed ledger never changes: readers keep what they read of it.
const sealedCache = new BoundedMap<string, SealedHeads>(64);

/** What the ledger of `day` in `container` sealed, for readers of the log (SealedHeads). */
export async function readSealedHeads(container: ContainerClient, day: string): Promise<SealedHeads> {
  const key = `${container.url} ${day}`;
  const cached = sealedCache.get(key);
  if (cached) return cached;
  const bytes = await downloadLedger(container, day);
  if (!bytes) return undefined;
  const heads = sealedHeads(bytes, day);
  if (heads && 'heads' in heads) sealedCache.set(key, heads);
  return heads;
}

/** Checks a ledger file as it streams past. */
export async function checkLedgerFile(chunks: AsyncIterable<Buffer>, day: string, trusted: TrustedKey[]): Promise<LedgerCheck> {
  const lines: Array<{ text: string; terminated: boolean }> = [];
  for await (const line of readLines(chunks)) lines.push(line);
  const check = checkLedgerLines(lines, day, trusted);
  if (!check.problem && !check.sealed) return { ...check, problem: { line: lines.length, message: 'is not sealed (the ledger was cut short, or is still being written)' } };
  return check;
}
