// The Table indexes over the session log. The blobs are the record; these rows only find them, and
// every write is an idempotent merge with keys derived from the log itself, so any number of
// instances can write the same row and a retry never duplicates one.
//
//   sessiondays           PK sessionId             RK day                            which blobs a session has
//   sessionsbytime        PK "all"                 RK inv(started)_sessionId_digest  one row per session-day,
//   sessionsbyprincipal   PK subject               RK inv(started)_sessionId_digest    principal and connection,
//   sessionsbyconnection  PK connection            RK inv(started)_sessionId_digest    flagged deny / review
//   eventsbydecision      PK "deny" | "review"     RK inv(time)_sessionId_seq        one row per such decision
//   sessionowners         PK sessionId             RK "owner"                        who opened it (owners.ts)
//
// `started` is the time of the session-day's first line; inv(t) = 9999999999999 − t in ms, 13
// digits, so rows sort newest first. Key parts that come from outside are URI-encoded (Table keys
// cannot hold / \ # ?).
import type { TableClient } from '@azure/data-tables';
import { BoundedMap } from './bounded-map.js';
import { sha256Hex } from './chain.js';
import type { SessionDay } from './chain-writer.js';
import { blobPath } from './names.js';
import { OWNERS_TABLE } from './owners.js';
import type { SessionEvent } from './schema.js';

export const TABLES = {
  days: 'sessiondays',
  byTime: 'sessionsbytime',
  byPrincipal: 'sessionsbyprincipal',
  byConnection: 'sessionsbyconnection',
  decisions: 'eventsbydecision',
  owners: OWNERS_TABLE,
} as const;

export const ALL_PARTITION = 'all';

const LATEST_MS = 9_999_999_999_999;

export const invertedTime = (ms: number): string => String(LATEST_MS - ms).padStart(13, '0');

export const keyPart = (value: string): string => encodeURIComponent(value);

/** Longest text copied from an event into a row (the full text is in the log). */
const ROW_TEXT_CHARS = 1024;

/** A row of the three session indexes. */
export interface SessionRow {
  sessionId: string;
  day: string;
  started: string;
  path: string;
  subject?: string;
  issuer?: string;
  connection?: string;
  deny?: boolean;
  review?: boolean;
}

/** A row of eventsbydecision. */
export interface DecisionRow {
  sessionId: string;
  day: string;
  seq: number;
  time: string;
  requestId: string;
  action: 'deny' | 'review';
  rule?: string;
  reason: string;
  summary?: string;
  subject?: string;
  issuer?: string;
  connection?: string;
}

type Write = { table: string; entity: { partitionKey: string; rowKey: string } & Record<string, unknown> };

export interface IndexWriter {
  /** Indexes lines just appended to a session-day whose first line has time `started`. */
  record(key: SessionDay, started: string, events: SessionEvent[]): Promise<void>;
}

export function createIndexWriter(table: (name: string) => TableClient): IndexWriter {
  // Rows this instance already wrote; a forgotten one is merged again, which changes nothing.
  const written = new BoundedMap<string, true>(50_000);
  const tablesReady = new Map<string, Promise<void>>();

  const ready = (name: string) => {
    let promise = tablesReady.get(name);
    if (!promise) {
      promise = table(name).createTable();
      tablesReady.set(name, promise);
      promise.catch(() => tablesReady.delete(name));
    }
    return promise;
  };

  // The rowsSignature of events whose session rows are written: most events of a session add no
  // row, and building their rows (a hash, copies) only to find them written cost more than the
  // rest of the recorder's work on an event.
  const indexed = new BoundedMap<string, true>(50_000);

  return {
    async record(key, started, events) {
      const signatures = new Set<string>();
      const fresh = events.filter((event) => {
        const signature = rowsSignature(key, started, event);
        if (signature === undefined) return true;
        if (indexed.has(signature)) return false;
        signatures.add(signature);
        return true;
      });
      const writes = new Map<string, Write>();
      for (const write of rowsFor(key, started, fresh)) {
        // Each flag is its own part of the key: a row merged with `deny` still needs its `review`.
        const { deny, review } = write.entity;
        const id = `${write.table}/${write.entity.partitionKey}/${write.entity.rowKey}/${deny === true ? 'deny' : ''}/${review === true ? 'review' : ''}`;
        if (!written.has(id)) writes.set(id, write);
      }
      await Promise.all(
        [...writes].map(async ([id, write]) => {
          await ready(write.table);
          await table(write.table).upsertEntity(write.entity, 'Merge');
          written.set(id, true);
        }),
      );
      for (const signature of signatures) indexed.set(signature, true);
    },
  };
}

/**
 * What an event's session rows are made of (rowsFor), or undefined when it has rows of its own: a
 * deny or review decision.
 */
function rowsSignature(key: SessionDay, started: string, event: SessionEvent): string | undefined {
  if (event.decision && event.decision.action !== 'allow') return undefined;
  return `${key.day}\n${key.sessionId}\n${started}\n${event.principal?.issuer ?? ''}\n${event.principal?.subject ?? ''}\n${event.connection ?? ''}`;
}

/** The index rows for some lines of a session-day. */
function rowsFor(key: SessionDay, started: string, events: SessionEvent[]): Write[] {
  const path = blobPath(key.day, key.sessionId);
  const rows: Write[] = [{ table: TABLES.days, entity: { partitionKey: key.sessionId, rowKey: key.day, started, path } }];
  for (const event of events) {
    if (!event.principal && !event.connection) continue;
    const { subject, issuer } = event.principal ?? {};
    const flag = event.decision && event.decision.action !== 'allow' ? { [event.decision.action]: true } : {};
    const row = defined({ sessionId: key.sessionId, day: key.day, started, path, subject, issuer, connection: event.connection, ...flag });
    const rowKey = `${invertedTime(Date.parse(started))}_${key.sessionId}_${sha256Hex(`${issuer ?? ''}\n${subject ?? ''}\n${event.connection ?? ''}`).slice(0, 16)}`;
    rows.push({ table: TABLES.byTime, entity: { partitionKey: ALL_PARTITION, rowKey, ...row } });
    if (subject) rows.push({ table: TABLES.byPrincipal, entity: { partitionKey: keyPart(subject), rowKey, ...row } });
    if (event.connection) rows.push({ table: TABLES.byConnection, entity: { partitionKey: keyPart(event.connection), rowKey, ...row } });
  }
  for (const event of events) {
    if (event.type !== 'decision' || event.decision.action === 'allow') continue;
    const decision: DecisionRow = defined({
      sessionId: key.sessionId,
      day: key.day,
      seq: event.seq,
      time: event.time,
      requestId: event.requestId,
      action: event.decision.action,
      rule: event.decision.rule ?? undefined,
      reason: event.decision.reason.slice(0, ROW_TEXT_CHARS),
      summary: event.operation?.summary.slice(0, ROW_TEXT_CHARS),
      subject: event.principal?.subject,
      issuer: event.principal?.issuer,
      connection: event.connection,
    });
    const rowKey = `${invertedTime(Date.parse(event.time))}_${key.sessionId}_${event.seq}`;
    rows.push({ table: TABLES.decisions, entity: { partitionKey: event.decision.action, rowKey, ...decision } });
  }
  return rows;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
