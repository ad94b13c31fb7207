// What the agent hears when PostgreSQL says no. Errors about the SQL come back as 400 with their
// SQLSTATE, masked (messages quote values: `Key (email)=(ada@example.com) already exists`); a
// write refused by the READ ONLY transaction is 403; a timeout 504; an unreachable or refusing
// database 502, with only an error code, since connection errors can name hosts and users.
// When the request may read masked columns, the values an error quotes may be theirs
// (`replace(email, '@', ' at ')::int` → `invalid input syntax for type integer: "ada at
// example.com"`), which no detector recognises, and not always in quotes (xmlparse's DETAIL shows
// the document as it is, a constraint's `Failing row contains (…)` the whole row, RAISE any text):
// the message, DETAIL and HINT are withheld whole, leaving the SQLSTATE, the statement and the
// position.
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

  const message = context.readsMasked ? WITHHELD : [error.message, error.detail].filter(Boolean).map((t) => mask(context.masker, t!)).join(' — ');
  const hint = context.readsMasked || !error.hint ? undefined : mask(context.masker, error.hint);
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

const WITHHELD = "PostgreSQL's message is withheld (see the SQLSTATE), since the request reads masked columns and the message could quote their values";

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
