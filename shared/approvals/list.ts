// GET /api/approvals: a reviewer's inbox. `status=pending` (the default) lists what the caller may
// decide (their reviewer groups, not their own request, not yet decided by them, not expired);
// another status lists the approvals the caller reviews or asked for. Auditors see every approval.
// Paged: `continuation` from one answer reads the next.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { inAnyGroup } from '../identity/index.js';
import { invalidQuery } from '../sessions/refusals.js';
import type { ApprovalContext } from './context.js';
import { openContinuation, sealContinuation } from './continuation.js';
import { describeIdentity, samePerson, type Person } from './people.js';
import { reviewerOf } from './reviewer.js';
import { approvalCount, effectiveStatus, requesterOf, STATUSES, type Approval, type CredentialUse, type Status } from './state.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
/** Rows read per table page; filtering by caller happens after. */
const TABLE_PAGE = 100;
/** Table pages read for one answer at most: the rest is behind the continuation. */
const MAX_PAGES = 20;

export interface ApprovalSummary {
  id: string;
  status: Status;
  connection: string;
  /** Masked, as recorded. */
  operation: string;
  requester: string;
  rule: string;
  message: string;
  createdAt: string;
  expiresAt: string;
  review: { groups: string[]; minApprovals: number };
  /** The credential tier the approved request runs with, on connections with tiers. */
  credential?: CredentialUse;
  approvals: number;
  /** Whether the caller may approve or deny it now. */
  mayDecide: boolean;
  links: { review: string; status: string; decision: string };
}

export interface ApprovalPage {
  approvals: ApprovalSummary[];
  continuation?: string;
  next?: string;
}

/** Whether a reviewer may decide on the approval now (what applyVerdict would accept). */
export function mayDecide(a: Approval, reviewer: Person, now: Date): boolean {
  return (
    effectiveStatus(a, now) === 'pending' &&
    reviewer.groups.some((g) => a.review.groups.includes(g)) &&
    !samePerson(reviewer, requesterOf(a)) &&
    !a.decisions.some((d) => samePerson(d, reviewer))
  );
}

export async function listApprovals(ctx: ApprovalContext, req: HttpRequest): Promise<HttpResponseInit> {
  const { principal, state } = await ctx.identify(req.headers);
  const url = new URL(req.url);
  const status = parseStatus(url.searchParams.get('status'));
  const limit = parseLimit(url.searchParams.get('limit'));
  const page = await approvalsFor(ctx, reviewerOf(principal), inAnyGroup(principal, state.policy.auditorGroups), {
    status,
    limit,
    continuation: url.searchParams.get('continuation') ?? undefined,
  });
  if (page.continuation) {
    const next = new URL(req.url);
    next.searchParams.set('continuation', page.continuation);
    page.next = `${ctx.urls.list()}${next.search}`;
  }
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: page };
}

/**
 * The approvals a person may see in their inbox (or, as an auditor, every one): at most `limit`, and
 * a continuation that resumes right after the last approval read, when there may be more.
 */
export async function approvalsFor(
  ctx: Pick<ApprovalContext, 'store' | 'urls' | 'now'>,
  reviewer: Person,
  auditor: boolean,
  options: { status: Status; limit: number; continuation?: string },
): Promise<ApprovalPage> {
  const now = ctx.now();
  const found: ApprovalSummary[] = [];
  let after = options.continuation === undefined ? undefined : openContinuation(options.continuation, options.status);
  let more = false;
  let pages = 0;
  read: for await (const approvals of ctx.store.list({ status: options.status, after, pageSize: TABLE_PAGE })) {
    // Enough read for one answer: the rest is behind the continuation.
    if (pages++ === MAX_PAGES) {
      more = true;
      break;
    }
    for (const a of approvals) {
      // Full, with an approval left to look at: the next answer starts here.
      if (found.length === options.limit) {
        more = true;
        break read;
      }
      after = { connection: a.base.connection, id: a.id };
      // A pending approval past its expiry is listed as expired, not as one to decide.
      if (effectiveStatus(a, now) !== options.status) continue;
      const decides = mayDecide(a, reviewer, now);
      const involved = reviewer.groups.some((g) => a.review.groups.includes(g)) || samePerson(reviewer, requesterOf(a));
      const visible = auditor || (options.status === 'pending' ? decides : involved);
      if (visible) found.push(summary(ctx, a, decides));
    }
  }
  return { approvals: found, ...(more && after ? { continuation: sealContinuation(after, options.status) } : {}) };
}

export function summary(ctx: Pick<ApprovalContext, 'urls'>, a: Approval, decides: boolean): ApprovalSummary {
  return {
    id: a.id,
    status: a.status === 'pending' ? effectiveStatus(a, new Date()) : a.status,
    connection: a.base.connection,
    operation: a.base.operation.summary,
    requester: describeIdentity(a.base.principal),
    rule: a.rule,
    message: a.message,
    createdAt: a.createdAt,
    expiresAt: a.expiresAt,
    review: a.review,
    ...(a.credential && { credential: a.credential }),
    approvals: approvalCount(a),
    mayDecide: decides,
    links: { review: ctx.urls.review(a.id), status: ctx.urls.status(a.id), decision: ctx.urls.decision(a.id) },
  };
}

function parseStatus(value: string | null): Status {
  if (value === null || value === '') return 'pending';
  if ((STATUSES as readonly string[]).includes(value)) return value as Status;
  throw invalidQuery(`status must be one of ${STATUSES.join(', ')}.`);
}

function parseLimit(value: string | null): number {
  if (value === null) return DEFAULT_LIMIT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw invalidQuery(`limit must be a whole number from 1 to ${MAX_LIMIT}.`);
  }
  return n;
}
