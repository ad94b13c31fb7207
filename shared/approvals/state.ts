// The approval state machine, pure: every change is a function from the current Approval to the next
// one (or undefined: nothing to do), so the store can apply it under an ETag and re-apply it to a
// fresh copy when another writer got there first. A change that must be recorded in the session log
// puts its event in the approval's outbox in the same write; see outbox.ts.
//
//   pending ─▶ approved ─▶ executing ─▶ completed | failed
//   pending ─▶ denied | expired | failed        approved ─▶ failed
import type { Tier } from '../connections/credential-schema.js';
import type { EventInput } from '../sessions/index.js';
import { describeIdentity, samePerson, type Identity, type Person } from './people.js';
import { alreadyDecided, approvalClosed, decisionTooLate, linkUsed, notAReviewer, selfApproval } from './refusals.js';

export const STATUSES = ['pending', 'approved', 'denied', 'expired', 'executing', 'completed', 'failed'] as const;
export type Status = (typeof STATUSES)[number];

const NEXT: Record<Status, readonly Status[]> = {
  pending: ['pending', 'approved', 'denied', 'expired', 'failed'],
  approved: ['executing', 'failed'],
  executing: ['completed', 'failed'],
  denied: [],
  expired: [],
  completed: [],
  failed: [],
};

export const canMove = (from: Status, to: Status) => NEXT[from].includes(to);

/** Still waiting for a reviewer or for its execution: the agent keeps polling. */
export const inProgress = (status: Status) => status === 'pending' || status === 'approved' || status === 'executing';

export type Verdict = 'approve' | 'deny';

export interface ReviewerDecision extends Identity {
  /**
   * The reviewer's other names (people.ts), kept so that the same person deciding again under
   * another subject (Entra's `sub` differs per app) is recognised. Absent on decisions stored before.
   */
  aliases?: string[];
  verdict: Verdict;
  reason?: string;
  at: string;
  via: 'api' | 'page';
  /** The link token (its jti) the decision was made with. */
  link?: string;
}

export interface Failure {
  type: string;
  detail: string;
}

/** What every event about this approval carries: the held request's identifiers and requester. */
export type ApprovalEventBase = Required<Pick<EventInput, 'sessionId' | 'requestId' | 'principal' | 'connection' | 'operation'>>;

export type OutboxEvent = Required<Pick<EventInput, 'type' | 'approval'>> & Pick<EventInput, 'error' | 'details'>;

export interface OutboxEntry {
  seq: number;
  event: OutboxEvent;
}

/** The credential tier the approved request runs with (connections with tiers; credential-use.ts). */
export interface CredentialUse {
  tier: Tier;
  /** More than the operation needs: a review rule's `elevate`; `from` is the operation's own tier. */
  elevated: boolean;
  from?: Tier;
  /** The connection has no credential of that tier: the approved request will be refused. */
  missing?: boolean;
}

export interface Approval {
  id: string;
  status: Status;
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
  base: ApprovalEventBase;
  requesterAliases: string[];
  /** The rule that asked for review, and its message (the decision's reason). */
  rule: string;
  message: string;
  review: { groups: string[]; minApprovals: number };
  credential?: CredentialUse;
  decisions: ReviewerDecision[];
  failure?: Failure;
  /** The target's status once the approved request ran. */
  responseStatus?: number;
  cardPostedAt?: string;
  executingSince?: string;
  /** Events written with a change and not yet in the session log. */
  outbox: OutboxEntry[];
  nextSeq: number;
}

export interface NewApproval {
  id: string;
  now: Date;
  timeoutMs: number;
  base: ApprovalEventBase;
  requesterAliases: string[];
  rule: string;
  message: string;
  review: { groups: string[]; minApprovals: number };
  credential?: CredentialUse;
}

export function openApproval(init: NewApproval): Approval {
  const at = init.now.toISOString();
  return {
    id: init.id,
    status: 'pending',
    createdAt: at,
    expiresAt: new Date(init.now.getTime() + init.timeoutMs).toISOString(),
    updatedAt: at,
    base: init.base,
    requesterAliases: init.requesterAliases,
    rule: init.rule,
    message: init.message,
    review: init.review,
    ...(init.credential && { credential: init.credential }),
    decisions: [],
    outbox: [],
    nextSeq: 0,
  };
}

/** A pending approval past its expiry reads as expired, even before the timeout message is handled. */
export const effectiveStatus = (a: Approval, now: Date): Status =>
  a.status === 'pending' && now.getTime() >= Date.parse(a.expiresAt) ? 'expired' : a.status;

export const approvalCount = (a: Approval) => a.decisions.filter((d) => d.verdict === 'approve').length;

export const requesterOf = (a: Approval): Person => ({ ...a.base.principal, aliases: a.requesterAliases });

export interface DecisionInput {
  verdict: Verdict;
  reason?: string;
  via: 'api' | 'page';
  link?: string;
}

/** A reviewer's decision. Throws a Refusal (403, 409, 410) when it may not be taken; never a no-op. */
export function applyVerdict(a: Approval, reviewer: Person, input: DecisionInput, now: Date): Approval {
  if (!reviewer.groups.some((g) => a.review.groups.includes(g))) {
    throw notAReviewer(a.id, a.review.groups);
  }
  if (samePerson(reviewer, requesterOf(a))) {
    throw selfApproval(a.id);
  }
  const status = effectiveStatus(a, now);
  if (status === 'expired') throw decisionTooLate(a.id, a.expiresAt);
  if (status !== 'pending') throw approvalClosed(a.id, status);
  const mine = a.decisions.filter((d) => samePerson(d, reviewer));
  if (input.link && mine.some((d) => d.link === input.link)) {
    throw linkUsed(a.id);
  }
  if (mine.length > 0) {
    throw alreadyDecided(a.id, describeIdentity(reviewer));
  }

  const decision: ReviewerDecision = {
    subject: reviewer.subject,
    issuer: reviewer.issuer,
    ...(reviewer.aliases.length > 0 ? { aliases: reviewer.aliases } : {}),
    verdict: input.verdict,
    ...(input.reason ? { reason: input.reason } : {}),
    at: now.toISOString(),
    via: input.via,
    ...(input.link ? { link: input.link } : {}),
  };
  const decided = { ...a, decisions: [...a.decisions, decision] };
  const approvals = approvalCount(decided);
  const next: Status = input.verdict === 'deny' ? 'denied' : approvals >= a.review.minApprovals ? 'approved' : 'pending';
  return withEvent(move(decided, next, now), {
    type: 'approval.decided',
    approval: {
      id: a.id,
      status: next,
      reviewer: { subject: reviewer.subject, issuer: reviewer.issuer },
      ...(input.reason ? { reason: input.reason } : {}),
    },
    details: { verdict: input.verdict, approvals, required: a.review.minApprovals, via: input.via },
  });
}

/** The timeout: a pending approval expires; any other state is left alone. */
export function expire(a: Approval, now: Date): Approval | undefined {
  if (a.status !== 'pending') return undefined;
  return withEvent(move(a, 'expired', now), { type: 'approval.expired', approval: { id: a.id, status: 'expired', expiresAt: a.expiresAt } });
}

/** Claims the execution of an approved request: only one writer can move it to executing. */
export function startExecution(a: Approval, now: Date): Approval | undefined {
  if (a.status !== 'approved') return undefined;
  return { ...move(a, 'executing', now), executingSince: now.toISOString() };
}

export function complete(a: Approval, responseStatus: number, now: Date): Approval | undefined {
  if (a.status !== 'executing') return undefined;
  return { ...move(a, 'completed', now), responseStatus };
}

/** Closes an open approval as failed, recording why; a closed one is left alone. */
export function fail(a: Approval, failure: Failure, now: Date): Approval | undefined {
  if (!inProgress(a.status)) return undefined;
  return withEvent(
    { ...move(a, 'failed', now), failure },
    { type: 'error', approval: { id: a.id, status: 'failed' }, error: { type: failure.type, detail: failure.detail } },
  );
}

export const INTERRUPTED: Failure = {
  type: 'execution-interrupted',
  detail: 'The approved request started but its outcome was never stored, so it may or may not have reached the target. It is not run a second time.',
};

export function markCardPosted(a: Approval, now: Date): Approval | undefined {
  return a.cardPostedAt ? undefined : { ...a, cardPostedAt: now.toISOString() };
}

/** Drops outbox entries up to `seq`, once they are in the session log. */
export function flushed(a: Approval, seq: number): Approval | undefined {
  const outbox = a.outbox.filter((e) => e.seq > seq);
  return outbox.length === a.outbox.length ? undefined : { ...a, outbox };
}

function move(a: Approval, to: Status, now: Date): Approval {
  // A transition the table above does not allow is a bug here, never a user error.
  if (!canMove(a.status, to)) throw new Error(`approval ${a.id}: ${a.status} cannot become ${to}`);
  return { ...a, status: to, updatedAt: now.toISOString() };
}

function withEvent(a: Approval, event: OutboxEvent): Approval {
  return { ...a, outbox: [...a.outbox, { seq: a.nextSeq, event }], nextSeq: a.nextSeq + 1 };
}
