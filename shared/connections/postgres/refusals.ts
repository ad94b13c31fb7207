// The refusals of the postgres kind: the request body, the parser, what the gateway will not carry,
// and what PostgreSQL says when it runs. A catalogue imports only platform/problem.ts; every problem
// type here is listed in docs/problems.md.
import { Refusal, unavailable } from '../../platform/problem.js';


/** `position` is the 1-based character the parser stopped at, when it says. */
export const sqlSyntax = (message: string, position: number | undefined) =>
  new Refusal({
    status: 400,
    type: 'sql-syntax',
    title: 'SQL does not parse',
    detail: position !== undefined ? `${message} (at character ${position})` : message,
    extensions: position !== undefined ? { position } : {},
  });

export const sqlEmpty = () =>
  new Refusal({ status: 400, type: 'sql-empty', title: 'No SQL statement', detail: 'The request holds no SQL statement (only comments or semicolons).' });

export const sqlUnsupported = (detail: string) => new Refusal({ status: 400, type: 'sql-unsupported', title: 'SQL not supported by the gateway', detail });

/** A held request whose SQL is not the SQL that was judged. */
export const requestChanged = () =>
  new Refusal({ status: 409, type: 'request-changed', title: 'Request changed', detail: 'The SQL to run differs from the SQL that was judged; it was not run.' });

export const noConnectionString = (connection: string) =>
  new Refusal({ status: 503, type: 'credential-unavailable', title: 'Credential unavailable', detail: `Connection "${connection}" has no connection string.` });

/**
 * `statement` is 1-based, when the failure is known to belong to one statement; `stopped` says
 * whether its backend is known to have ended (else it may still hold its transaction and locks).
 */
export const sqlTimeout = (statement: number | undefined, timeoutMs: number, stopped = true) =>
  new Refusal({
    status: 504,
    type: 'sql-timeout',
    title: 'SQL statement timed out',
    detail: `${statement === undefined ? 'A statement' : `Statement ${statement}`} ran longer than the connection's limit of ${timeoutMs} ms and was cancelled; ${
      stopped
        ? 'the transaction was rolled back.'
        : 'the gateway could not confirm that it stopped, so its transaction may still be open until the server ends it. Nothing was committed by the gateway.'
    }`,
    extensions: statement === undefined ? {} : { statement },
  });

export const databaseBusy = (connection: string, sqlstate: string) =>
  unavailable({
    type: 'database-busy',
    title: 'Database busy',
    detail: `The database of "${connection}" is out of resources (SQLSTATE ${sqlstate}); nothing was committed. Try again shortly.`,
    retryAfterSeconds: 5,
  });

/** `why` is a SQLSTATE or an error code only: connection errors can name hosts and users. */
export const databaseUnavailable = (connection: string, why: string) =>
  new Refusal({
    status: 502,
    type: 'database-unavailable',
    title: 'Database unavailable',
    detail: `The database of "${connection}" could not be reached or refused the gateway (${why}); nothing was committed.`,
  });

/** `message` is PostgreSQL's, already masked. */
export const readOnlyViolation = (message: string, extensions: Record<string, unknown>) =>
  new Refusal({
    status: 403,
    type: 'read-only-violation',
    title: 'Write refused in a read-only request',
    detail: `The request was classified read-only and ran in a READ ONLY transaction, where PostgreSQL refused a write: ${message}`,
    extensions,
  });

/** `message` is PostgreSQL's, already masked; `statement` is 1-based. */
export const sqlError = (statement: number | undefined, message: string, extensions: Record<string, unknown>) =>
  new Refusal({
    status: 400,
    type: 'sql-error',
    title: 'PostgreSQL refused the SQL',
    detail: `${statement === undefined ? '' : `Statement ${statement}: `}${message}; the transaction was rolled back.`,
    extensions,
  });

/** `statement` is 1-based: the first that was not run. */
export const sqlReadingChanged = (statement: number) =>
  new Refusal({
    status: 400,
    type: 'sql-unsupported',
    title: 'SQL not supported by the gateway',
    detail: `Statement ${statement} was not run: standard_conforming_strings or client_encoding is not what the gateway parsed the SQL with (on, UTF8), so the server would read it otherwise; the transaction was rolled back.`,
    extensions: { statement },
  });
