// Re-deciding a recorded request under another policy (`portcullis policy what-if`): the decision
// event's principal and operation, as recorded (masked), go through the guard's own decide. Pure.
// Events recorded before decision events carried the principal's claims and the operation's method,
// path, query, headers and text cannot be re-decided, and are counted apart.
import type { Operation } from '../connections/operation.js';
import { decide } from '../guard/decide.js';
import type { Principal } from '../identity/index.js';
import type { Action, Policy } from '../policy/compile.js';
import type { SessionEvent } from '../sessions/index.js';

export type DecisionEvent = Extract<SessionEvent, { type: 'decision' }>;

export interface Verdict {
  action: Action;
  rule: string | null;
}

export type Redecision =
  | {
      redecided: true;
      before: Verdict;
      after: Verdict;
      /** Recorded fields that masking or truncation changed: the re-decision may differ from the live one. */
      approximate: string[];
    }
  | { redecided: false; before: Verdict; reason: string };

export function redecide(event: DecisionEvent, policy: Policy): Redecision {
  const before = { action: event.decision.action, rule: event.decision.rule };
  const p = event.principal;
  const o = event.operation;
  if (!p || !o || !event.connection || p.claims === undefined || p.kind === undefined || o.method === undefined) {
    return { redecided: false, before, reason: 'recorded without the claims and operation fields re-deciding needs (before the what-if change)' };
  }
  const connection = policy.connections.get(event.connection);
  // The live gateway refuses a request to a connection the policy does not have.
  if (!connection) return { redecided: true, before, after: { action: 'deny', rule: 'unknown-connection' }, approximate: [] };
  if (connection.config.kind !== o.kind) {
    return { redecided: false, before, reason: `connection ${event.connection} is ${connection.config.kind} in the candidate, ${o.kind} when recorded` };
  }
  const principal: Principal = { subject: p.subject, issuer: p.issuer, groups: p.groups, claims: p.claims, kind: p.kind };
  const operation: Operation = {
    kind: o.kind,
    method: o.method,
    path: o.path ?? '',
    query: o.query ?? '',
    actions: o.actions,
    resources: o.resources,
    flags: o.flags,
    headers: o.headers ?? {},
    text: o.text ?? '',
    summary: o.summary,
    details: {},
  };
  const after = decide(principal, connection, operation, policy);
  return { redecided: true, before, after: { action: after.action, rule: after.rule }, approximate: o.masked ?? [] };
}
