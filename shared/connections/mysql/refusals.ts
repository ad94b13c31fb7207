// The mysql kind's refusals. A catalogue imports only platform/problem.ts; every problem type here
// is listed in docs/problems.md (types shared with postgres keep postgres's status).
import { Refusal } from '../../platform/problem.js';

type Extensions = Record<string, unknown>;

export const sqlUnparsable = (detail: string) => new Refusal({ status: 400, type: 'sql-unparsable', title: 'SQL not understood by the gateway', detail });

export const sqlUnsupported = (detail: string) => new Refusal({ status: 400, type: 'sql-unsupported', title: 'SQL not supported by the gateway', detail });

export const requestChanged = () =>
  new Refusal({ status: 409, type: 'request-changed', title: 'Request changed', detail: 'The SQL to run differs from the SQL that was judged; it was not run.' });

export const noConnectionString = (connection: string) =>
  new Refusal({ status: 503, type: 'credential-unavailable', title: 'Credential unavailable', detail: `Connection "${connection}" has no connection string.` });

export const sqlTimeout = (statementTimeoutMs: number) =>
  new Refusal({
    status: 504,
    type: 'sql-timeout',
    title: 'SQL statement timed out',
    detail: `The statement ran longer than the connection's limit of ${statementTimeoutMs} ms and was stopped; the transaction was rolled back.`,
  });

export const databaseUnavailable = (connection: string, what: string) =>
  new Refusal({
    status: 502,
    type: 'database-unavailable',
    title: 'Database unavailable',
    detail: `The database of "${connection}" could not be reached or refused the gateway (${what}); nothing was committed.`,
  });

export const readOnlyViolation = (message: string, extensions: Extensions) =>
  new Refusal({
    status: 403,
    type: 'read-only-violation',
    title: 'Write refused in a read-only request',
    detail: `The request was classified read-only and ran in a READ ONLY transaction, where the server refused a write: ${message}`,
    extensions,
  });

export const sqlError = (message: string, extensions: Extensions) =>
  new Refusal({ status: 400, type: 'sql-error', title: 'The database refused the SQL', detail: `${message}; the transaction was rolled back.`, extensions });
