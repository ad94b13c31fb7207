// The web console behind the review page's sign-in (its cookie is scoped to /api/review): the
// reviewer's inbox, and for auditors the sessions list (the API's filters) and a session's timeline
// with its chain's verification.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { CONSOLE_PATHS, inboxPage, sessionsPage, timelinePage } from '../approvals/console-pages.js';
import { pageResponse } from '../approvals/html.js';
import { signLink } from '../approvals/link-token.js';
import { approvalsFor } from '../approvals/list.js';
import type { Person } from '../approvals/people.js';
import { signedInPage } from '../approvals/review.js';
import { MAX_SESSION_READ_BYTES, querySessions, readSession } from '../sessions/index.js';
import { invalidQuery, unknownSession } from '../sessions/refusals.js';
import { notAnAuditor } from './refusals.js';
import { runtime } from './runtime.js';

const query = (req: HttpRequest, name: string) => req.query.get(name) || undefined;

async function isAuditor(person: Person): Promise<boolean> {
  const { policy } = await runtime().approvals.policies.current();
  return person.groups.some((g) => policy.auditorGroups.includes(g));
}

async function requireAuditor(person: Person): Promise<void> {
  if (!(await isAuditor(person))) throw notAnAuditor((await runtime().policies.current()).policy.auditorGroups);
}

export async function consoleInbox(req: HttpRequest): Promise<HttpResponseInit> {
  const ctx = runtime().approvals;
  return signedInPage(ctx, req, async (person) => {
    const page = await approvalsFor(ctx, person, false, { status: 'pending', limit: 50, continuation: query(req, 'continuation') });
    // Each row opens the review page with a fresh single-use link, as the Teams card does.
    const link = async (id: string, expiresAt: string, action: 'approve' | 'deny') =>
      `${ctx.urls.review(id)}?t=${(await signLink(ctx.keys.link, { approvalId: id, action, expiresAt: new Date(expiresAt) })).token}`;
    const items = await Promise.all(
      page.approvals.map(async (approval) => ({
        approval,
        approveUrl: await link(approval.id, approval.expiresAt, 'approve'),
        denyUrl: await link(approval.id, approval.expiresAt, 'deny'),
      })),
    );
    const next = page.continuation ? `${CONSOLE_PATHS.inbox}?continuation=${encodeURIComponent(page.continuation)}` : undefined;
    return pageResponse(200, inboxPage(person, await isAuditor(person), items, ctx.now(), next));
  });
}

export async function consoleSessions(req: HttpRequest): Promise<HttpResponseInit> {
  const rt = runtime();
  return signedInPage(rt.approvals, req, async (person) => {
    await requireAuditor(person);
    await rt.recorder.settle();
    const decision = query(req, 'decision') as 'deny' | 'review' | undefined;
    if (decision !== undefined && decision !== 'deny' && decision !== 'review') {
      throw invalidQuery('decision must be deny or review');
    }
    const filter = { principal: query(req, 'principal'), connection: query(req, 'connection'), decision, from: query(req, 'from'), to: query(req, 'to') };
    const page = await querySessions(rt.clients, filter, { limit: query(req, 'limit'), continuation: query(req, 'continuation') });
    let next: string | undefined;
    if (page.continuation) {
      const url = new URL(req.url);
      url.searchParams.set('continuation', page.continuation);
      next = `${CONSOLE_PATHS.sessions}${url.search}`;
    }
    return pageResponse(200, sessionsPage(person, filter, page.items, next));
  });
}

export async function consoleSession(req: HttpRequest): Promise<HttpResponseInit> {
  const rt = runtime();
  return signedInPage(rt.approvals, req, async (person) => {
    await requireAuditor(person);
    await rt.recorder.settle();
    const id = req.params.id ?? '';
    const session = await readSession(rt.clients, id, { from: query(req, 'from'), to: query(req, 'to') }, MAX_SESSION_READ_BYTES);
    if (!session) throw unknownSession(id);
    return pageResponse(200, timelinePage(person, session));
  });
}
