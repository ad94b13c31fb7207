// Runs a classified request as one transaction, under guard rails the agent's SQL cannot lift:
//  - READ ONLY when the request was classified read-only. The transaction's snapshot is taken
//    before the agent's first statement, after which PostgreSQL refuses SET TRANSACTION READ WRITE.
//  - statement_timeout, set LOCAL; and a watchdog that cancels a statement still running past it
//    (the SQL may have turned the setting off or catch the cancel, as a DO block can) and shortly
//    after terminates its backend, which rolls the transaction back and frees its locks: closing
//    the socket alone would not, since a busy backend does not read it.
//  - at most `rowLimit` rows read per statement, through a portal, never the whole result, and
//    rows kept only up to `maxBytes` of cells (capped-query.ts); either cut says truncated.
//  - at most `maxAffectedRows` rows written, when set: counted before COMMIT from the transaction's
//    statistics (pg_stat_xact_all_tables, before and after: rows inserted, updated and deleted by
//    every statement, CTE, trigger, function and EXPLAIN ANALYZE of it), or the statements' own
//    counts if more; over it the transaction is rolled back.
//  - the text read as the parser read it: standard_conforming_strings on (set LOCAL, whatever the
//    role's default; off, `'\'` would end a string elsewhere than the parser saw) and UTF-8, checked
//    again before each further statement, since a statement may change either.
//  - DISCARD ALL before the connection goes back to the pool: no role, setting, prepared
//    statement, temporary table or advisory lock outlives the request.
// Statements are sent one by one (extended protocol), params bound, never interpolated.
import pg from 'pg';
import { TooManyRowsAffected } from '../affected-rows.js';
import { CappedQuery } from './capped-query.js';
import type { Param } from '../sql-request.js';

export interface Plan {
  statements: ReadonlyArray<{ text: string }>;
  params: readonly Param[];
  readOnly: boolean;
  rowLimit: number;
  /** Characters of cells kept per statement. */
  maxBytes: number;
  statementTimeoutMs: number;
  /** Rows the request may write before it is rolled back; absent: no limit. */
  maxAffectedRows?: number;
}

export interface StatementResult {
  command: string | null;
  columns: Array<{ name: string; typeId: number }>;
  rows: Array<Array<string | null>>;
  rowCount: number;
  truncated: boolean;
}

/** Where a request failed, for errors.ts to turn into the agent's answer. */
export class SqlFailure extends Error {
  constructor(
    readonly phase: 'connect' | 'statement' | 'transaction',
    readonly error: unknown,
    /** Index of the failing statement (phase `statement`). */
    readonly statement?: number,
    /** The watchdog stopped the statement. */
    readonly timedOut = false,
    /** The statement is known to have ended and its transaction with it (false: the backend could not be terminated). */
    readonly stopped = true,
  ) {
    super(`SQL ${phase} failed`);
    this.name = 'SqlFailure';
  }
}

/** How long past statement_timeout the watchdog waits before cancelling, again before terminating, and for the termination. */
export const WATCHDOG_GRACE_MS = 1_000;

export interface Database {
  pool: pg.Pool;
  /** Opens a separate connection for a cancel request. */
  connect(): Promise<pg.Client>;
}

export async function execute(db: Database, plan: Plan): Promise<StatementResult[]> {
  let client: pg.PoolClient;
  try {
    client = await db.pool.connect();
  } catch (error) {
    throw new SqlFailure('connect', error);
  }
  let broken: Error | undefined;
  // pg emits a dead socket's error on the client as well as on its query, and the pool listens
  // only while the client is idle: a backend the watchdog terminated must not crash the process.
  const socketError = (error: Error) => (broken ??= error);
  client.on('error', socketError);
  try {
    await step(client, 'connect', plan.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
    // A SELECT (unlike SET LOCAL) takes the snapshot, which freezes the read-only mode.
    const started = await step(client, 'connect', {
      text: `SELECT pg_catalog.set_config('statement_timeout', $1, true), pg_catalog.set_config('standard_conforming_strings', 'on', true), ${READS_AS_PARSED}, pg_catalog.pg_backend_pid() AS pid`,
      values: [String(plan.statementTimeoutMs)],
    });
    if (started.rows[0].same !== true) throw new ReadingChanged(0);
    const pid = Number(started.rows[0].pid);
    const limited = plan.maxAffectedRows !== undefined && !plan.readOnly;
    // The statistics may still hold counts of earlier transactions on this connection: only the change counts.
    const writtenBefore = limited ? await rowsWritten(client) : 0;
    const results: StatementResult[] = [];
    for (const [index, statement] of plan.statements.entries()) {
      if (index > 0) await readsAsParsed(client, index);
      const query = new CappedQuery(statement.text, index === 0 ? plan.params : [], plan.rowLimit, plan.maxBytes);
      results.push(shape(await watched(db, client, query, pid, index, plan.statementTimeoutMs), plan.rowLimit));
    }
    if (limited) {
      const reported = results.filter((r) => WRITES.has(r.command ?? '')).reduce((sum, r) => sum + r.rowCount, 0);
      const affected = Math.max((await rowsWritten(client)) - writtenBefore, reported);
      if (affected > plan.maxAffectedRows!) throw new TooManyRowsAffected(affected, plan.maxAffectedRows!);
    }
    await step(client, 'transaction', 'COMMIT');
    return results;
  } catch (error) {
    // Once the watchdog has acted, a late cancel could hit whatever runs next on this connection
    // (and an abandoned statement still holds it): close it, which also rolls back.
    if (error instanceof SqlFailure && error.timedOut) broken = error;
    else await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    if (!broken) await client.query('DISCARD ALL').catch((e: Error) => (broken = e));
    client.removeListener('error', socketError);
    // A broken connection is closed rather than returned to the pool.
    client.release(broken);
  }
}

/** One of the gateway's own queries; a failure is put down to the connection or the transaction. */
async function step(client: pg.PoolClient, phase: 'connect' | 'transaction', query: string | pg.QueryConfig): Promise<pg.QueryResult> {
  try {
    return await client.query(query);
  } catch (error) {
    throw new SqlFailure(phase, error);
  }
}

/** The server would read the next statement otherwise than the parser did: it is not run. */
export class ReadingChanged extends Error {
  constructor(readonly statement: number) {
    super('standard_conforming_strings or client_encoding changed');
    this.name = 'ReadingChanged';
  }
}

const READS_AS_PARSED = "pg_catalog.current_setting('standard_conforming_strings') = 'on' AND pg_catalog.current_setting('client_encoding') = 'UTF8' AS same";

/** Whether strings and bytes are still read as the parser read them, before statement `index`. */
async function readsAsParsed(client: pg.PoolClient, index: number): Promise<void> {
  const settings = await step(client, 'transaction', `SELECT ${READS_AS_PARSED}`);
  if (settings.rows[0]?.same !== true) throw new ReadingChanged(index);
}

/** Rows inserted, updated and deleted by this connection as its statistics count them (not yet flushed ones included). */
async function rowsWritten(client: pg.PoolClient): Promise<number> {
  const stats = await step(
    client,
    'transaction',
    'SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text AS n FROM pg_catalog.pg_stat_xact_all_tables',
  );
  return Number(stats.rows[0].n);
}

/** Command tags whose row count is rows written. */
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

async function watched(db: Database, client: pg.PoolClient, query: CappedQuery, pid: number, index: number, timeoutMs: number) {
  let timedOut = false;
  let abandonTimer: NodeJS.Timeout | undefined;
  let terminating: Promise<boolean> | undefined;
  let abandon!: (reason: Error) => void;
  const abandoned = new Promise<never>((_, reject) => (abandon = reject));
  const cancelTimer = setTimeout(() => {
    timedOut = true;
    void cancel(db, pid);
    abandonTimer = setTimeout(() => {
      // The pid is still this connection's: it is released only after this settles.
      terminating = terminate(db, pid);
      void terminating.then(() => abandon(new Abandoned()));
    }, WATCHDOG_GRACE_MS);
  }, timeoutMs + WATCHDOG_GRACE_MS);
  // An abandoned statement still settles later, when its connection is closed.
  query.done.catch(() => undefined);
  try {
    client.query(query);
    const result = await Promise.race([query.done, abandoned]);
    // Finished just as the cancel went out: the cancel may still land, so this counts as timed out.
    if (timedOut) throw new Abandoned();
    return result;
  } catch (error) {
    // Ended by the termination (or before it): rolled back only if the termination says so.
    throw new SqlFailure('statement', error, index, timedOut, terminating ? await terminating : true);
  } finally {
    clearTimeout(cancelTimer);
    clearTimeout(abandonTimer);
  }
}

/** The watchdog gave up on a statement: its connection is closed, not waited for. */
class Abandoned extends Error {
  constructor() {
    super('the statement was stopped by the watchdog');
    this.name = 'Abandoned';
  }
}

/** pg_cancel_backend from a connection of its own: the statement's connection is busy. */
async function cancel(db: Database, pid: number): Promise<void> {
  try {
    const client = await db.connect();
    try {
      await client.query('SELECT pg_catalog.pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end();
    }
  } catch {
    // Cancelling is best effort; the statement is abandoned shortly anyway.
  }
}

/**
 * pg_terminate_backend from a connection of its own, waiting for the backend to exit (its
 * transaction rolled back, its locks freed): whether it is gone.
 */
async function terminate(db: Database, pid: number): Promise<boolean> {
  try {
    const client = await db.connect();
    try {
      const ended = await client.query(
        'SELECT pg_catalog.pg_terminate_backend($1, $2) OR NOT EXISTS (SELECT FROM pg_catalog.pg_stat_activity WHERE pid = $1) AS ended',
        [pid, WATCHDOG_GRACE_MS],
      );
      return ended.rows[0]?.ended === true;
    } finally {
      await client.end();
    }
  } catch {
    return false;
  }
}

function shape(result: Awaited<CappedQuery['done']>, limit: number): StatementResult {
  const truncated = result.rows.length > limit || result.overBytes;
  const rows = truncated ? result.rows.slice(0, limit) : result.rows;
  return {
    command: result.command,
    columns: result.fields.map((f) => ({ name: f.name, typeId: f.dataTypeID })),
    rows,
    rowCount: truncated ? rows.length : (result.rowCount ?? rows.length),
    truncated,
  };
}
