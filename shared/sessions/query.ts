// What the auditor API asks of the session log: sessions by principal, connection, decision and
// time (newest first, paged with an opaque continuation), decisions to deny or review, and one
// session's events with whether its chains verify. Bad input is a Refusal (400).
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { BlobServiceClient } from '@azure/storage-blob';
import { z } from 'zod';
import { sha256Hex } from './chain.js';
import { ALL_PARTITION, invertedTime, keyPart, TABLES, type DecisionRow, type SessionRow } from './indexes.js';
import { mapLimit } from './map-limit.js';
import { readSealedHeads } from './ledger.js';
import { listPartSizes } from './parts.js';
import { blobPath, dayOf, SESSION_CONTAINER } from './names.js';
import { storageError } from './recording-error.js';
import { invalidContinuation, invalidQuery, sessionTooLarge } from './refusals.js';
import { sessionIdSchema } from './schema.js';
import { sessionRecord, type SessionRecord } from './session-record.js';

/** The clients the queries read (AzureClients is one). */
export interface SessionStores {
  blobs: BlobServiceClient;
  table(name: string): TableClient;
}

export interface SessionFilter {
  /** A subject, or `issuer|subject` when it starts with the issuer's http(s) URL. */
  principal?: string;
  connection?: string;
  decision?: 'deny' | 'review';
  /** `YYYY-MM-DD` (a whole UTC day) or an ISO date-time; both ends included. */
  from?: string;
  to?: string;
}

export interface PageRequest {
  /** 1–200, default 50. */
  limit?: number | string;
  continuation?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back to get the next page; absent on the last page. */
  continuation?: string;
}

/** One session-day as one principal on one connection saw it. */
export interface SessionSummary {
  sessionId: string;
  day: string;
  /** Time of the session-day's first event. */
  started: string;
  principal?: { subject: string; issuer: string };
  connection?: string;
  deny: boolean;
  review: boolean;
}

export interface DecisionSummary {
  sessionId: string;
  day: string;
  seq: number;
  time: string;
  requestId: string;
  action: 'deny' | 'review';
  rule: string | null;
  reason: string;
  summary?: string;
  principal?: { subject: string; issuer: string };
  connection?: string;
}

const DAY_MS = 86_400_000;
const blank = (value: unknown) => (value === '' || value === null ? undefined : value);
const text = z.preprocess(blank, z.string().max(1024).optional());
const instant = z.preprocess(blank, z.union([z.iso.date(), z.iso.datetime({ offset: true })], 'must be YYYY-MM-DD or an ISO date-time').optional());
const rangeSchema = z.object({ from: instant, to: instant });
const filterSchema = rangeSchema.extend({
  principal: text,
  connection: text,
  decision: z.preprocess(blank, z.enum(['deny', 'review']).optional()),
});
const pageSchema = z.object({
  limit: z.preprocess(blank, z.coerce.number().int().min(1).max(200).default(50)),
  continuation: z.preprocess(blank, z.string().max(8192).optional()),
});

/** Session-days matching the filter, newest first. */
export async function querySessions(stores: Pick<SessionStores, 'table'>, filter: SessionFilter, page: PageRequest): Promise<Page<SessionSummary>> {
  const f = parse(filterSchema, filter);
  const p = parse(pageSchema, page);
  const principal = f.principal === undefined ? undefined : parsePrincipal(f.principal);
  const [table, partition] = principal
    ? [TABLES.byPrincipal, keyPart(principal.subject)]
    : f.connection !== undefined
      ? [TABLES.byConnection, keyPart(f.connection)]
      : [TABLES.byTime, ALL_PARTITION];
  const conditions = [odata`PartitionKey eq ${partition}`, ...timeConditions(f)];
  if (principal?.issuer !== undefined) conditions.push(odata`issuer eq ${principal.issuer}`);
  if (f.connection !== undefined && table !== TABLES.byConnection) conditions.push(odata`connection eq ${f.connection}`);
  if (f.decision) conditions.push(`${f.decision} eq true`);
  return readPage(stores.table(table), conditions.join(' and '), p, (row: SessionRow) => ({
    sessionId: row.sessionId,
    day: row.day,
    started: row.started,
    ...(row.subject ? { principal: { subject: row.subject, issuer: row.issuer ?? '' } } : {}),
    ...(row.connection ? { connection: row.connection } : {}),
    deny: row.deny === true,
    review: row.review === true,
  }));
}

/** Decisions to deny (or to hold for review), newest first. */
export async function queryDecisions(
  stores: Pick<SessionStores, 'table'>,
  filter: SessionFilter & { decision: 'deny' | 'review' },
  page: PageRequest,
): Promise<Page<DecisionSummary>> {
  const f = parse(filterSchema.extend({ decision: z.enum(['deny', 'review']) }), filter);
  const p = parse(pageSchema, page);
  const conditions = [odata`PartitionKey eq ${f.decision}`, ...timeConditions(f)];
  const principal = f.principal === undefined ? undefined : parsePrincipal(f.principal);
  if (principal) conditions.push(odata`subject eq ${principal.subject}`);
  if (principal?.issuer !== undefined) conditions.push(odata`issuer eq ${principal.issuer}`);
  if (f.connection !== undefined) conditions.push(odata`connection eq ${f.connection}`);
  return readPage(stores.table(TABLES.decisions), conditions.join(' and '), p, (row: DecisionRow) => ({
    sessionId: row.sessionId,
    day: row.day,
    seq: row.seq,
    time: row.time,
    requestId: row.requestId,
    action: row.action,
    rule: row.rule ?? null,
    reason: row.reason,
    ...(row.summary ? { summary: row.summary } : {}),
    ...(row.subject ? { principal: { subject: row.subject, issuer: row.issuer ?? '' } } : {}),
    ...(row.connection ? { connection: row.connection } : {}),
  }));
}

/**
 * Stored bytes a read through the API (and the console) takes at most: its events are built whole
 * in the gateway's memory, at about three times their size. Larger sessions are exported and read
 * from there, or read a few days at a time.
 */
export const MAX_SESSION_READ_BYTES = 64 * 1024 * 1024;

/**
 * One session's events (those in `range`, oldest first) and whether the chains of its session-day
 * blobs verify; undefined when the session is unknown. Refused (422) past `maxBytes` of blobs in
 * the range's days, before any is read.
 */
export async function readSession(
  stores: SessionStores,
  sessionId: string,
  range: { from?: string; to?: string } = {},
  maxBytes = Infinity,
): Promise<SessionRecord | undefined> {
  if (!sessionIdSchema.safeParse(sessionId).success) {
    throw invalidQuery('the session id must be 1-200 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  const { fromMs, toMs } = bounds(parse(rangeSchema, range));
  const dayConditions = [odata`PartitionKey eq ${sessionId}`];
  if (fromMs !== undefined) dayConditions.push(odata`RowKey ge ${dayOf(new Date(fromMs))}`);
  if (toMs !== undefined) dayConditions.push(odata`RowKey le ${dayOf(new Date(toMs))}`);
  const days: string[] = [];
  try {
    for await (const row of stores.table(TABLES.days).listEntities({ queryOptions: { filter: dayConditions.join(' and '), select: ['RowKey'] } })) {
      days.push(row.rowKey!);
    }
  } catch (error) {
    if (storageError(error).status !== 404) throw error;
  }
  if (days.length === 0) return undefined;
  const container = stores.blobs.getContainerClient(SESSION_CONTAINER);
  const parts = (await mapLimit(days, 8, async (day) => (await listPartSizes(container, { sessionId, day })).map(({ part, bytes }) => ({ day, part, bytes })))).flat();
  const bytes = parts.reduce((sum, part) => sum + part.bytes, 0);
  if (bytes > maxBytes) throw sessionTooLarge(sessionId, bytes, maxBytes);
  const indexed = new Set(parts.map(({ day }) => day));
  const files = await mapLimit([...parts, ...days.filter((day) => !indexed.has(day)).map((day) => ({ day, part: 0 }))], 8, async ({ day, part }) => {
    const path = blobPath(day, sessionId, part);
    try {
      return { day, part, path, bytes: await container.getBlobClient(path).downloadToBuffer() };
    } catch (error) {
      if (storageError(error).status !== 404) throw error;
      return { day, part, path, bytes: undefined };
    }
  });
  const sealed = new Map(await mapLimit(days, 8, async (day) => [day, await readSealedHeads(container, day)] as const));
  return sessionRecord(sessionId, files, { fromMs, toMs }, sealed);
}

/**
 * `principal=` is a subject; when it starts with an http(s) URL followed by `|`, that URL is the
 * issuer and the rest the subject (subjects such as `auth0|123` contain `|` themselves).
 */
export function parsePrincipal(value: string): { subject: string; issuer?: string } {
  const bar = value.indexOf('|');
  return bar > 0 && /^https?:\/\//i.test(value) ? { issuer: value.slice(0, bar), subject: value.slice(bar + 1) } : { subject: value };
}

function timeConditions(range: { from?: string; to?: string }): string[] {
  const { fromMs, toMs } = bounds(range);
  // Row keys start with the inverted time, so a time range is a row key range (reversed).
  return [
    ...(toMs !== undefined ? [odata`RowKey ge ${invertedTime(toMs)}`] : []),
    ...(fromMs !== undefined ? [odata`RowKey lt ${invertedTime(fromMs - 1)}`] : []),
  ];
}

function bounds(range: { from?: string; to?: string }): { fromMs?: number; toMs?: number } {
  const isDay = (value: string) => value.length === 10;
  const fromMs = range.from === undefined ? undefined : Date.parse(range.from);
  const toMs = range.to === undefined ? undefined : Date.parse(range.to) + (isDay(range.to) ? DAY_MS - 1 : 0);
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw invalidQuery('from is after to');
  return { fromMs, toMs };
}

async function readPage<Row extends object, Item>(
  client: TableClient,
  filter: string,
  page: { limit: number; continuation?: string },
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const queryKey = sha256Hex(`${client.tableName}\n${filter}`).slice(0, 16);
  let token = page.continuation === undefined ? undefined : openContinuation(page.continuation, queryKey);
  const items: Item[] = [];
  try {
    // A service page may hold fewer rows than asked (even none), so keep reading until full.
    do {
      const pages = client.listEntities<Row>({ queryOptions: { filter } }).byPage({ maxPageSize: page.limit - items.length, continuationToken: token });
      const next = await pages.next();
      if (next.done) break;
      items.push(...next.value.map((row: TableEntityResult<Row>) => toItem(row)));
      token = next.value.continuationToken;
    } while (token && items.length < page.limit);
  } catch (error) {
    if (storageError(error).status === 404) return { items: [] }; // nothing recorded yet
    throw error;
  }
  return { items, ...(token ? { continuation: sealContinuation(token, queryKey) } : {}) };
}

// The Table service's own token, bound to the query it continues so it cannot be replayed on another.
function sealContinuation(token: string, queryKey: string): string {
  return Buffer.from(JSON.stringify({ q: queryKey, t: token })).toString('base64url');
}

function openContinuation(continuation: string, queryKey: string): string {
  const parsed = z
    .object({ q: z.string(), t: z.string() })
    .safeParse(safeJson(Buffer.from(continuation, 'base64url').toString('utf8')));
  if (!parsed.success) throw invalidContinuation('the continuation token is not one this API issued');
  if (parsed.data.q !== queryKey) throw invalidContinuation('the continuation token belongs to a different query');
  return parsed.data.t;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidQuery(
    result.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'query'}: ${issue.message}`).join('; '),
  );
}
