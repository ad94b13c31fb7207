// The inbox's continuation: where the last page stopped (an approval's key), bound to the status it
// lists, opaque to callers. Like the sessions API's, a token this API did not issue, or issued for
// another query, is a 400 invalid-continuation rather than a page from somewhere else.
import { z } from 'zod';
import { invalidContinuation } from '../sessions/refusals.js';
import { connectionOf } from './ids.js';
import type { Status } from './state.js';
import type { ApprovalKey } from './store.js';

const tokenSchema = z.object({ q: z.string(), after: z.string() });

export function sealContinuation(after: ApprovalKey, status: Status): string {
  return Buffer.from(JSON.stringify({ q: status, after: after.id })).toString('base64url');
}

export function openContinuation(continuation: string, status: Status): ApprovalKey {
  const parsed = tokenSchema.safeParse(safeJson(Buffer.from(continuation, 'base64url').toString('utf8')));
  const connection = parsed.success ? connectionOf(parsed.data.after) : undefined;
  if (!parsed.success || !connection) throw invalidContinuation('the continuation token is not one this API issued');
  if (parsed.data.q !== status) throw invalidContinuation('the continuation token belongs to a different query');
  return { connection, id: parsed.data.after };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
