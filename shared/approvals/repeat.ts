// "Send the same request again once it is approved": an approval that holds an answer is found
// again by the request it answers. The key is a hash of who asked (issuer and subject), the
// connection and the request itself (method, path, query and body, JSON bodies in canonical form),
// so only the same principal repeating the same request gets the held answer — and only once: the
// first repeat after approval takes it; later ones are forwarded as new requests.
import { createHash } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import type { AgentRequest } from '../connections/kind.js';
import type { Repeat } from '../gateway/pipeline.js';
import type { Principal } from '../identity/index.js';
import { canonicalJson } from '../sessions/canonical-json.js';
import type { ApprovalContext } from './context.js';
import { effectiveStatus, inProgress, type Approval } from './state.js';
import { answer } from './status.js';

export interface RepeatParts {
  principal: Pick<Principal, 'issuer' | 'subject'>;
  connection: string;
  method: string;
  /** The path and query the request was judged on; empty for kinds without one. */
  target: string;
  body: Uint8Array | undefined;
}

export function repeatKey(parts: RepeatParts): string {
  const text = new TextDecoder().decode(parts.body ?? new Uint8Array());
  let body: string;
  try {
    body = canonicalJson(JSON.parse(text));
  } catch {
    body = text;
  }
  const material = JSON.stringify([parts.principal.issuer, parts.principal.subject, parts.connection, parts.method, parts.target, body]);
  return createHash('sha256').update(material).digest('hex');
}

export const requestKey = (principal: RepeatParts['principal'], connection: string, request: AgentRequest): string =>
  repeatKey({ principal, connection, method: request.method, target: request.target ? `${request.target.path}${request.target.search}` : '', body: request.body.bytes });

/** Remembers that `approvalId` holds the answer to the request with this key. */
export async function rememberRepeat(ctx: ApprovalContext, key: string, approvalId: string): Promise<void> {
  await ctx.held.putRepeat(key, approvalId);
}

/**
 * The approval holding the answer to the request with this key: an open one (the agent is told to
 * wait), or a completed one, taken once. Undefined when there is none, or it was denied, expired,
 * failed or already taken.
 */
export async function findApprovedRepeat(ctx: ApprovalContext, key: string): Promise<Approval | undefined> {
  const found = await ctx.held.getRepeat(key);
  if (!found) return undefined;
  const approval = await ctx.store.get(found.approvalId);
  const status = approval && effectiveStatus(approval, ctx.now());
  if (approval && status && inProgress(status)) return approval;
  // Closed: whoever forgets the key first is the one that answers (completed) or moves on (otherwise).
  const taken = await ctx.held.dropRepeat(key, found.etag);
  return taken && status === 'completed' ? approval : undefined;
}

/** The gateway's check before forwarding: the held answer (or its approval's status) for a repeat. */
export function createRepeat(ctx: ApprovalContext): Repeat {
  return async ({ principal, connection, request }): Promise<HttpResponseInit | undefined> => {
    if (!request.body.bytes) return undefined;
    const approval = await findApprovedRepeat(ctx, requestKey(principal, connection.name, request));
    return approval && answer(ctx, approval, undefined, request);
  };
}
