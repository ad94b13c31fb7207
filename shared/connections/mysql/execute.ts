// Runs a classified statement on a connection of its own (opened for the request, closed after:
// no session variable, lock or temporary table outlives it), under guard rails the agent's SQL
// cannot lift:
//  - the text read as the classifier read it (lex.ts): the session's sql_mode without ANSI_QUOTES
//    and NO_BACKSLASH_ESCAPES, whatever the server's default, or nothing runs;
//  - a READ ONLY transaction (and session) when it was classified read-only;
//  - the server's statement time limit (MariaDB max_statement_time, MySQL MAX_EXECUTION_TIME,
//    which covers only SELECT) and a watchdog that kills the query and drops the connection;
//  - at most `rowLimit` rows kept, and only while their cells come to at most `maxBytes` (a few
//    huge values would otherwise pile up in memory): the rest are read off the wire and dropped;
//  - `maxAffectedRows`: a write that changed more rows is rolled back (affected-rows.ts), counted
//    from the session's handler statistics before and after (rows written, updated and deleted by
//    the statement, its triggers and the functions it calls), or the statement's own count if more.
//    MariaDB counts internal temporary tables apart; MySQL counts them too, which can only hold more.
// Params are bound by a prepared statement, never interpolated; several statements are refused by
// the driver as well as by the classifier; LOAD DATA LOCAL is off.
import mysql from 'mysql2';
import { TooManyRowsAffected } from '../affected-rows.js';
import type { Param } from '../sql-request.js';
import type { SqlResult } from '../sql-result.js';

export interface Plan {
  sql: string;
  params: readonly Param[];
  readOnly: boolean;
  command: string;
  rowLimit: number;
  maxBytes: number;
  statementTimeoutMs: number;
  maxAffectedRows?: number;
  connectTimeoutMs: number;
}

/** Where a request failed, for errors.ts to turn into the agent's answer. */
export class MysqlFailure extends Error {
  constructor(
    readonly phase: 'connect' | 'statement' | 'transaction',
    readonly error: unknown,
    readonly timedOut = false,
  ) {
    super(`MySQL ${phase} failed`);
    this.name = 'MysqlFailure';
  }
}

/** How long past the time limit the watchdog waits before it kills the query. */
export const WATCHDOG_GRACE_MS = 1_000;

type Connection = mysql.Connection;

export async function execute(uri: string, plan: Plan): Promise<SqlResult> {
  const options = {
    uri,
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    connectTimeout: plan.connectTimeoutMs,
    flags: ['-LOCAL_FILES', '-MULTI_STATEMENTS'],
  };
  const conn = mysql.createConnection(options);
  conn.on('error', () => undefined);
  let clean = false;
  try {
    await step(conn, 'connect', 'SELECT VERSION() AS v, @@SESSION.sql_mode AS m').then(async ([rows]) => {
      const [{ v, m }] = rows as Array<{ v: string; m: string }>;
      await step(conn, 'connect', /mariadb/i.test(v) ? `SET SESSION max_statement_time = ${plan.statementTimeoutMs / 1000}` : `SET SESSION MAX_EXECUTION_TIME = ${plan.statementTimeoutMs}`);
      await step(conn, 'connect', `SET SESSION sql_mode = '${plainReading(m)}'`);
    });
    const [[mode]] = (await step(conn, 'connect', 'SELECT @@SESSION.sql_mode AS m')) as [Array<{ m: string }>, unknown];
    if (READING_MODES.some((q) => modes(mode!.m).includes(q))) {
      throw new MysqlFailure('connect', new Error('the session sql_mode keeps a mode that changes how SQL is read'));
    }
    if (plan.readOnly) await step(conn, 'connect', 'SET SESSION TRANSACTION READ ONLY');
    await step(conn, 'connect', plan.readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
    const limited = plan.maxAffectedRows !== undefined && !plan.readOnly;
    const writtenBefore = limited ? await rowsWritten(conn) : 0;
    const result = await watched(conn, options, plan);
    if (limited) {
      const affected = Math.max((await rowsWritten(conn)) - writtenBefore, result.affectedRows);
      if (affected > plan.maxAffectedRows!) {
        await step(conn, 'transaction', 'ROLLBACK');
        clean = true;
        throw new TooManyRowsAffected(affected, plan.maxAffectedRows!);
      }
    }
    await step(conn, 'transaction', 'COMMIT');
    clean = true;
    return result.result;
  } finally {
    // Closing rolls back whatever is still open; a connection in doubt is dropped, not waited for.
    if (clean) await new Promise<void>((resolve) => conn.end(() => resolve()));
    else conn.destroy();
  }
}

/**
 * Modes under which the server reads SQL otherwise than lex.ts and the grammar: quotes, escapes,
 * `||`, and the combinations that imply them (MariaDB's ORACLE mode has a grammar of its own).
 */
const READING_MODES = ['ANSI_QUOTES', 'NO_BACKSLASH_ESCAPES', 'PIPES_AS_CONCAT', 'ANSI', 'ORACLE', 'MSSQL', 'DB2', 'POSTGRESQL', 'MAXDB'];

const modes = (sqlMode: string) => sqlMode.toUpperCase().split(',').filter(Boolean);

/** The session's modes without those (names only: nothing else could be quoted into the SET). */
function plainReading(sqlMode: string): string {
  return modes(sqlMode)
    .filter((m) => /^[A-Z_]+$/.test(m) && !READING_MODES.includes(m))
    .join(',');
}

function step(conn: Connection, phase: 'connect' | 'transaction', sql: string): Promise<[unknown, unknown]> {
  return new Promise((resolve, reject) => {
    conn.query(sql, (error, rows, fields) => (error ? reject(new MysqlFailure(phase, error)) : resolve([rows, fields])));
  });
}

/** Rows this session wrote, updated and deleted so far, as the server's handler statistics count them. */
async function rowsWritten(conn: Connection): Promise<number> {
  const [rows] = await step(conn, 'transaction', "SHOW SESSION STATUS WHERE Variable_name IN ('Handler_write', 'Handler_update', 'Handler_delete')");
  return (rows as Array<{ Value: string }>).reduce((sum, r) => sum + Number(r.Value), 0);
}

interface Ran {
  result: SqlResult;
  affectedRows: number;
}

function watched(conn: Connection, options: mysql.ConnectionOptions, plan: Plan): Promise<Ran> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let columns: SqlResult['columns'] = [];
    const rows: unknown[][] = [];
    let seen = 0;
    let bytes = 0;
    let overBytes = false;
    let affectedRows = 0;
    const watchdog = setTimeout(() => {
      timedOut = true;
      void kill(options, conn.threadId);
      conn.destroy();
      reject(new MysqlFailure('statement', new Error('the statement was stopped by the watchdog'), true));
    }, plan.statementTimeoutMs + WATCHDOG_GRACE_MS);
    const query = plan.params.length > 0
      ? conn.execute({ sql: plan.sql, values: plan.params as Param[], rowsAsArray: true })
      : conn.query({ sql: plan.sql, rowsAsArray: true });
    query
      // A statement without a result set has no fields.
      .on('fields', (fields: mysql.FieldPacket[] | undefined) => {
        if (fields) columns = fields.map((f) => ({ name: f.name, type: typeName(f.type) }));
      })
      .on('result', (row: unknown) => {
        if (Array.isArray(row)) {
          seen++;
          if (rows.length > plan.rowLimit || overBytes) return;
          const cells = row.map(jsonCell);
          bytes += cells.reduce<number>((sum, cell) => sum + cellSize(cell), 0);
          overBytes = bytes > plan.maxBytes;
          if (!overBytes) rows.push(cells);
        } else {
          affectedRows += Number((row as { affectedRows?: number }).affectedRows ?? 0);
        }
      })
      .on('error', (error: unknown) => {
        clearTimeout(watchdog);
        if (!timedOut) reject(new MysqlFailure('statement', error));
      })
      .on('end', () => {
        clearTimeout(watchdog);
        if (timedOut) return;
        const truncated = rows.length > plan.rowLimit || overBytes;
        const kept = truncated ? rows.slice(0, plan.rowLimit) : rows;
        resolve({
          affectedRows,
          result: { command: plan.command, columns, rows: kept, rowCount: columns.length > 0 ? (truncated ? kept.length : seen) : affectedRows, truncated },
        });
      });
  });
}

/** KILL QUERY from a connection of its own: the statement's connection is busy. Best effort. */
async function kill(options: mysql.ConnectionOptions, threadId: number | null): Promise<void> {
  if (threadId === null) return;
  const killer = mysql.createConnection(options);
  killer.on('error', () => undefined);
  await new Promise<void>((resolve) => killer.query(`KILL QUERY ${Number(threadId)}`, () => resolve()));
  killer.destroy();
}

const TYPES = mysql.Types as unknown as Record<number, string>;

function typeName(type: number | undefined): string {
  return (type !== undefined && TYPES[type]?.toLowerCase()) || 'unknown';
}

/** Characters, not bytes, as PostgreSQL's cap counts them: a bound on what the answer holds, cheap to count. */
function cellSize(cell: unknown): number {
  return typeof cell === 'string' ? cell.length : 8;
}

/** Driver values as JSON: binary as base64, everything else as the driver gives it (big numbers and dates as strings). */
function jsonCell(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  return value ?? null;
}
