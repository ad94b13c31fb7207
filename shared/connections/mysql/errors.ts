// What the agent hears when MySQL or MariaDB says no: errors about the SQL come back as 400 with
// the server's error number and SQLSTATE, masked (messages quote values); a write refused by the
// READ ONLY transaction is 403; a timeout 504; an unreachable or refusing server 502, with only an
// error code, since connection errors can name hosts and users. (A write over maxAffectedRows is
// no error: it is held for review, affected-rows.ts.)
// When the statement may read masked columns, the values a message quotes may be theirs, which no
// detector recognises (`XPATH syntax error: '~tok…'` of EXTRACTVALUE, `Duplicate entry 'tok…1'`
// of a GROUP BY): the message is withheld whole, leaving the error number and SQLSTATE.
import type { Masker } from '../../masking/index.js';
import type { Refusal } from '../../platform/problem.js';
import { databaseUnavailable, readOnlyViolation, sqlError, sqlTimeout } from './refusals.js';
import type { MysqlFailure } from './execute.js';

export interface FailureContext {
  connection: string;
  masker: Masker;
  statementTimeoutMs: number;
  /** Whether the statement may read masked values (outputs.ts readsMasked). */
  readsMasked: boolean;
}

interface ServerError {
  errno?: number;
  sqlState?: string;
  code?: string;
  message?: string;
  fatal?: boolean;
}

const WITHHELD = "The server's message is withheld (see errno and SQLSTATE), since the statement reads masked columns and the message could quote their values";

// ER_STATEMENT_TIMEOUT (MariaDB), ER_QUERY_TIMEOUT (MySQL), ER_QUERY_INTERRUPTED.
const TIMEOUTS = new Set([1969, 3024, 1317]);
// ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION.
const READ_ONLY = 1792;
// Access denied, unknown database, too many connections, server shutting down.
const UNAVAILABLE = new Set([1044, 1045, 1049, 1040, 1053, 1129, 1130, 1203]);

export function refusalFor(failure: MysqlFailure, context: FailureContext): Refusal {
  const error = (failure.error ?? {}) as ServerError;
  if (failure.timedOut || (error.errno !== undefined && TIMEOUTS.has(error.errno))) {
    return sqlTimeout(context.statementTimeoutMs);
  }
  const serverError = typeof error.errno === 'number' && typeof error.sqlState === 'string' && !error.fatal;
  if (failure.phase === 'connect' || !serverError || UNAVAILABLE.has(error.errno!)) {
    return databaseUnavailable(context.connection, `${error.errno ? `error ${error.errno}` : (error.code ?? (failure.error instanceof Error ? failure.error.name : 'unknown error'))}`);
  }
  const message = context.readsMasked ? WITHHELD : context.masker.text(error.message ?? '').text;
  const extensions = { errno: error.errno, sqlstate: error.sqlState };
  if (error.errno === READ_ONLY) {
    return readOnlyViolation(message, extensions);
  }
  return sqlError(message, extensions);
}
