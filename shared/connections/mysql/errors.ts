// What the agent hears when MySQL or MariaDB says no: errors about the SQL come back as 400 with
// the server's error number and SQLSTATE, masked (messages quote values); a write refused by the
// READ ONLY transaction is 403, a write over maxAffectedRows 403; a timeout 504; an unreachable or
// refusing server 502, with only an error code, since connection errors can name hosts and users.
import type { Masker } from '../../masking/index.js';
import { Refusal } from '../../platform/problem.js';
import type { MysqlFailure } from './execute.js';

export interface FailureContext {
  connection: string;
  masker: Masker;
  statementTimeoutMs: number;
  maxAffectedRows?: number;
}

interface ServerError {
  errno?: number;
  sqlState?: string;
  code?: string;
  message?: string;
  fatal?: boolean;
}

// ER_STATEMENT_TIMEOUT (MariaDB), ER_QUERY_TIMEOUT (MySQL), ER_QUERY_INTERRUPTED.
const TIMEOUTS = new Set([1969, 3024, 1317]);
// ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION.
const READ_ONLY = 1792;
// Access denied, unknown database, too many connections, server shutting down.
const UNAVAILABLE = new Set([1044, 1045, 1049, 1040, 1053, 1129, 1130, 1203]);

export function refusalFor(failure: MysqlFailure, context: FailureContext): Refusal {
  if (failure.affectedRows !== undefined) {
    return new Refusal({
      status: 403,
      type: 'too-many-rows-affected',
      title: 'Too many rows affected',
      detail: `The statement changed ${failure.affectedRows} rows, more than the ${context.maxAffectedRows} connection "${context.connection}" allows; it was rolled back.`,
      extensions: { affectedRows: failure.affectedRows, maxAffectedRows: context.maxAffectedRows },
    });
  }
  const error = (failure.error ?? {}) as ServerError;
  if (failure.timedOut || (error.errno !== undefined && TIMEOUTS.has(error.errno))) {
    return new Refusal({
      status: 504,
      type: 'sql-timeout',
      title: 'SQL statement timed out',
      detail: `The statement ran longer than the connection's limit of ${context.statementTimeoutMs} ms and was stopped; the transaction was rolled back.`,
    });
  }
  const serverError = typeof error.errno === 'number' && typeof error.sqlState === 'string' && !error.fatal;
  if (failure.phase === 'connect' || !serverError || UNAVAILABLE.has(error.errno!)) {
    return new Refusal({
      status: 502,
      type: 'database-unavailable',
      title: 'Database unavailable',
      detail: `The database of "${context.connection}" could not be reached or refused the gateway (${error.errno ? `error ${error.errno}` : (error.code ?? (failure.error instanceof Error ? failure.error.name : 'unknown error'))}); nothing was committed.`,
    });
  }
  const message = context.masker.text(error.message ?? '').text;
  const extensions = { errno: error.errno, sqlstate: error.sqlState };
  if (error.errno === READ_ONLY) {
    return new Refusal({
      status: 403,
      type: 'read-only-violation',
      title: 'Write refused in a read-only request',
      detail: `The request was classified read-only and ran in a READ ONLY transaction, where the server refused a write: ${message}`,
      extensions,
    });
  }
  return new Refusal({
    status: 400,
    type: 'sql-error',
    title: 'The database refused the SQL',
    detail: `${message}; the transaction was rolled back.`,
    extensions,
  });
}
