// What the agent hears when PostgreSQL says no. Errors about the SQL come back as 400 with their
// SQLSTATE, masked (messages quote values: `Key (email)=(ada@example.com) already exists`); a
// write refused by the READ ONLY transaction is 403; a timeout 504; an unreachable or refusing
// database 502, with only an error code, since connection errors can name hosts and users.
// When the request may read masked columns, the values an error quotes may be theirs
// (`replace(email, '@', ' at ')::int` → `invalid input syntax for type integer: "ada at
// example.com"`), which no detector recognises: quoted values the agent did not write itself are
// withheld, and so is the whole text of an error raised by code (RAISE, a function's own error).
import pg from 'pg';
import type { Masker } from '../../masking/index.js';
import type { Refusal } from '../../platform/problem.js';
import type { SqlFailure } from './execute.js';
import { databaseBusy, databaseUnavailable, readOnlyViolation, sqlError, sqlTimeout } from './refusals.js';

export interface FailureContext {
  connection: string;
  masker: Masker;
  statementTimeoutMs: number;
  /** Where each statement starts in the request's SQL (characters), to place error positions. */
  offsets: readonly number[];
  /** The request's SQL: what an error quotes from it is the agent's own. */
  sql: string;
  /** Whether the request may read masked values (lineage.ts readsMasked). */
  readsMasked: boolean;
}

export function refusalFor(failure: SqlFailure, context: FailureContext): Refusal {
  const error = failure.error;
  const code = error instanceof pg.DatabaseError ? error.code : undefined;
  const statement = failure.statement === undefined ? undefined : failure.statement + 1;

  if (failure.timedOut || code === '57014') {
    return sqlTimeout(statement, context.statementTimeoutMs, failure.stopped);
  }
  if (code?.startsWith('53')) {
    return databaseBusy(context.connection, code);
  }
  if (failure.phase === 'connect' || !(error instanceof pg.DatabaseError) || unavailable(code)) {
    return databaseUnavailable(context.connection, code ? `SQLSTATE ${code}` : errorCode(error));
  }

  const text = (value: string) => mask(context.masker, context.readsMasked ? withholdValues(value, context.sql) : value);
  const raisedByCode = context.readsMasked && (/^(P0|38|39)/.test(code ?? '') || Boolean(error.where));
  const message = raisedByCode ? RAISED_BY_CODE : [error.message, error.detail].filter(Boolean).map((t) => text(t!)).join(' — ');
  const hint = raisedByCode || !error.hint ? undefined : text(error.hint);
  const position = failure.statement !== undefined && error.position ? (context.offsets[failure.statement] ?? 0) + Number(error.position) : undefined;
  const extensions = {
    sqlstate: code,
    ...(statement !== undefined && { statement }),
    ...(position !== undefined && { position }),
    ...(hint && { hint }),
  };
  if (code === '25006') {
    return readOnlyViolation(message, extensions);
  }
  return sqlError(statement, message, extensions);
}

const RAISED_BY_CODE = 'the error came from code the request ran; its text is withheld, since the request reads masked columns';

const WITHHELD = '[WITHHELD]';

/**
 * The text with the values PostgreSQL quotes in it replaced, unless the request's SQL holds them as
 * written. A value can itself hold quotes or parentheses, so what is replaced runs from the first
 * `"` to the last, and from the first `=(` or `contains (` to the last `)`; bytes an encoding
 * error shows in hex go too.
 */
function withholdValues(text: string, sql: string): string {
  const own = sql.toLowerCase();
  /** The text with [start, end) withheld, unless the agent wrote it. */
  const withhold = (start: number, end: number) => (own.includes(text.slice(start, end).toLowerCase()) ? text : text.slice(0, start) + WITHHELD + text.slice(end));
  const [first, last] = [text.indexOf('"'), text.lastIndexOf('"')];
  // A lone quote: its value runs to the end.
  if (first >= 0) text = withhold(first + 1, last > first ? last : text.length);
  const row = /=\(|contains \(/.exec(text);
  if (row) {
    const [start, close] = [row.index + row[0].length, text.lastIndexOf(')')];
    text = withhold(start, close >= start ? close : text.length);
  }
  return text.replace(/0x[0-9a-f]{2}(?: 0x[0-9a-f]{2})*/gi, WITHHELD);
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
