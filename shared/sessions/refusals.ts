// The refusals of the session log: session ids, ownership and the auditors' query API. A catalogue
// imports only platform/problem.ts; every problem type here is listed in docs/problems.md.
import { Refusal } from '../platform/problem.js';

export const invalidSession = (header: string) =>
  new Refusal({
    status: 400,
    type: 'invalid-session',
    title: 'Invalid session id',
    detail: `${header} must be 1-200 letters, digits, ".", "_" or "-", starting with a letter or digit`,
  });

export const sessionOwnedByAnother = () =>
  new Refusal({
    status: 409,
    type: 'session-owned-by-another-principal',
    title: 'Session belongs to another principal',
    detail: 'This session was opened by another principal; choose another session id.',
  });

export const invalidQuery = (detail: string) => new Refusal({ status: 400, type: 'invalid-query', title: 'Invalid query', detail });

export const invalidContinuation = (detail: string) => new Refusal({ status: 400, type: 'invalid-continuation', title: 'Invalid query', detail });

export const unknownSession = (id: string | undefined) =>
  new Refusal({ status: 404, type: 'unknown-session', title: 'Unknown session', detail: `No session "${id}" in that range.` });
