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

/** A session larger than a read through the API may take: its events are read whole, in the gateway's memory. */
export const sessionTooLarge = (id: string, bytes: number, max: number) =>
  new Refusal({
    status: 422,
    type: 'session-too-large',
    title: 'Session too large to read here',
    detail: `Session "${id}" holds ${bytes} bytes in the range asked for, more than the ${max} a read here may take: narrow it with from and to (whole days are read), or export it (portcullis sessions export) and read it with portcullis sessions replay --dir.`,
    extensions: { bytes, maxBytes: max },
  });
