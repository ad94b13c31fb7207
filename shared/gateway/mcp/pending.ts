// The requests the gateway sent upstream and awaits answers to, per MCP session. A server may
// answer on any of the session's streams (the POST's, or the GET stream after a 202), and the
// agent's client takes an answer wherever it comes, so answers are matched per session, by the id
// as clients compare it (idKey): each answer is then filtered as what it answers, and one that
// answers nothing the gateway sent is dropped. Kept in this process: an answer arriving on another
// instance than its request went out on matches nothing there, and is dropped (fail closed).
import { idKey, type JsonRpcId } from '../../connections/mcp/messages.js';
import type { Operation } from '../../connections/operation.js';

export interface PendingRequest {
  /** The id as the agent sent it: the answer passed on carries exactly this one. */
  id: JsonRpcId;
  operation: Operation;
  at: number;
}

/** How long an answer may take to come: long tool calls stream for a while, but not for ever. */
const TTL_MS = 60 * 60_000;
/** At most this many awaited per session: an agent flooding its own session loses its oldest. */
const MAX_PER_SCOPE = 1_000;
const SWEEP_MS = 60_000;

/** Scope (the gateway's session id, or one exchange's own) → id key → the request. */
const scopes = new Map<string, Map<string, PendingRequest>>();
let swept = 0;

/** Awaits the answer to a request; false when a request with an id clients take for the same awaits one already. */
export function awaitAnswer(scope: string, id: JsonRpcId, operation: Operation, now = Date.now()): boolean {
  sweep(now);
  let requests = scopes.get(scope);
  if (!requests) scopes.set(scope, (requests = new Map()));
  expire(requests, now);
  const key = idKey(id);
  if (requests.has(key)) return false;
  if (requests.size >= MAX_PER_SCOPE) requests.delete(requests.keys().next().value!);
  requests.set(key, { id, operation, at: now });
  return true;
}

/** The request an answer with this id answers, awaited no more; undefined when the gateway sent none. */
export function answerTo(scope: string, id: JsonRpcId | null, now = Date.now()): PendingRequest | undefined {
  const requests = scopes.get(scope);
  if (!requests) return undefined;
  expire(requests, now);
  const key = idKey(id);
  const request = requests.get(key);
  requests.delete(key);
  if (requests.size === 0) scopes.delete(scope);
  return request;
}

/** Forgets a request that will get no answer (refused upstream, or answered by the gateway). */
export function unawait(scope: string, id: JsonRpcId): void {
  const requests = scopes.get(scope);
  requests?.delete(idKey(id));
  if (requests?.size === 0) scopes.delete(scope);
}

/** The scope ended (the session, or a sessionless exchange): nothing it sent is awaited any more. */
export function endScope(scope: string): void {
  scopes.delete(scope);
}

function expire(requests: Map<string, PendingRequest>, now: number): void {
  for (const [key, request] of requests) {
    if (request.at > now - TTL_MS) break;
    requests.delete(key);
  }
}

/** Now and then, scopes whose requests all expired (sessions never ended) are forgotten. */
function sweep(now: number): void {
  if (now - swept < SWEEP_MS) return;
  swept = now;
  for (const [scope, requests] of scopes) {
    expire(requests, now);
    if (requests.size === 0) scopes.delete(scope);
  }
}
