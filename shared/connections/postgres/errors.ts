// What the agent hears when PostgreSQL says no. Errors about the SQL come back as 400 with their
// SQLSTATE, masked (messages quote values: `Key (email)=(ada@example.com) already exists`); a
// write refused by the READ ONLY transaction is 403; a timeout 504; an unreachable or refusing
// database 502, with only an error code, since connection errors can name hosts and users.
import pg from 'pg';
import type { Masker } from '../../masking/index.js';
import { Refusal } from '../../platform/problem.js';
import type { SqlFailure } from './execute.js';

export interface FailureContext {
  connection: string;
  masker: Masker;
  statementTimeoutMs: number;
  /** Where each statement starts in the request's SQL (characters), to place error positions. */
  offsets: readonly number[];
}

export function refusalFor(failure: SqlFailure, context: FailureContext): Refusal {
  const error = failure.error;
  const code = error instanceof pg.DatabaseError ? error.code : undefined;
  const which = failure.statement === undefined ? '' : `Statement ${failure.statement + 1}`;

  if (failure.timedOut || code === '57014') {
    return new Refusal({
      status: 504,
      type: 'sql-timeout',
      title: 'SQL statement timed out',
      detail: `${which || 'A statement'} ran longer than the connection's limit of ${context.statementTimeoutMs} ms and was cancelled; the transaction was rolled back.`,
      extensions: failure.statement === undefined ? {} : { statement: failure.statement + 1 },
    });
  }
  if (code?.startsWith('53')) {
    return new Refusal({
      status: 503,
      type: 'database-busy',
      title: 'Database busy',
      detail: `The database of "${context.connection}" is out of resources (SQLSTATE ${code}); nothing was committed. Try again shortly.`,
      headers: { 'retry-after': '5' },
    });
  }
  if (failure.phase === 'connect' || !(error instanceof pg.DatabaseError) || unavailable(code)) {
    return new Refusal({
      status: 502,
      type: 'database-unavailable',
      title: 'Database unavailable',
      detail: `The database of "${context.connection}" could not be reached or refused the gateway (${code ? `SQLSTATE ${code}` : errorCode(error)}); nothing was committed.`,
    });
  }

  const message = mask(context.masker, [error.message, error.detail].filter(Boolean).join(' — '));
  const position = failure.statement !== undefined && error.position ? (context.offsets[failure.statement] ?? 0) + Number(error.position) : undefined;
  const extensions = {
    sqlstate: code,
    ...(failure.statement !== undefined && { statement: failure.statement + 1 }),
    ...(position !== undefined && { position }),
    ...(error.hint && { hint: mask(context.masker, error.hint) }),
  };
  if (code === '25006') {
    return new Refusal({
      status: 403,
      type: 'read-only-violation',
      title: 'Write refused in a read-only request',
      detail: `The request was classified read-only and ran in a READ ONLY transaction, where PostgreSQL refused a write: ${message}`,
      extensions,
    });
  }
  return new Refusal({
    status: 400,
    type: 'sql-error',
    title: 'PostgreSQL refused the SQL',
    detail: `${which ? `${which}: ` : ''}${message}; the transaction was rolled back.`,
    extensions,
  });
}

/** Connection-level SQLSTATEs: connection exceptions, authorization, unknown database, shutdown. */
function unavailable(code: string | undefined): boolean {
  return code === undefined || /^(08|28|3D|57P)/.test(code);
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown error';
}

function mask(masker: Masker, text: string): string {
  return masker.text(text).text;
}
