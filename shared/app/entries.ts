// What each function calls: the trigger's input handed to the module that does the work, with
// the process's runtime. Function files (functions/) are one line of glue around these.
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import { approvalDecision as decideByApi, approvalStatus as statusOf } from '../approvals/api.js';
import { listApprovals } from '../approvals/list.js';
import { handleApprovalMessage } from '../approvals/orchestrator.js';
import { showReview, showSignIn, signIn, submitReview } from '../approvals/review.js';
import { handleMcp } from '../gateway/mcp/handle.js';
import { handle } from '../gateway/pipeline.js';
import { checkHealth } from '../platform/health.js';
import { createSigner } from '../sessions/signer.js';
import { MAX_SESSION_READ_BYTES, querySessions, readSession, runDailyExport } from '../sessions/index.js';
import { invalidQuery, unknownSession } from '../sessions/refusals.js';
import { requireAuditor } from './auditor.js';
import { consoleInbox as inbox, consoleSession as sessionConsole, consoleSessions as sessionsConsole } from './console.js';
import { healthChecks } from './health-checks.js';
import { runtime } from './runtime.js';

type Http = (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit>;

const query = (req: HttpRequest, name: string) => req.query.get(name) ?? undefined;

export const proxy: Http = (req, ctx) => handle(runtime().gateway, 'proxy', req, ctx);

export const mcp: Http = (req, ctx) => handleMcp(runtime().mcp, req, ctx);

export const sql: Http = (req, ctx) => handle(runtime().gateway, 'sql', req, ctx);

export const exec: Http = (req, ctx) => handle(runtime().gateway, 'exec', req, ctx);

export const health: Http = async () => {
  const report = await checkHealth(healthChecks(runtime()));
  return { status: report.status === 'healthy' ? 200 : 503, headers: { 'cache-control': 'no-store' }, jsonBody: report };
};

export const sessionsList: Http = async (req) => {
  const rt = runtime();
  await requireAuditor(rt, req.headers);
  await rt.recorder.settle();
  const decision = query(req, 'decision');
  if (decision !== undefined && decision !== 'deny' && decision !== 'review') {
    throw invalidQuery('decision must be deny or review');
  }
  const page = await querySessions(
    rt.clients,
    { principal: query(req, 'principal'), connection: query(req, 'connection'), decision, from: query(req, 'from'), to: query(req, 'to') },
    { limit: query(req, 'limit'), continuation: query(req, 'continuation') },
  );
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: page };
};

export const sessionsGet: Http = async (req) => {
  const rt = runtime();
  await requireAuditor(rt, req.headers);
  await rt.recorder.settle();
  const session = await readSession(rt.clients, req.params.id ?? '', { from: query(req, 'from'), to: query(req, 'to') }, MAX_SESSION_READ_BYTES);
  if (!session) throw unknownSession(req.params.id);
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: session };
};

export const dailyExport = async (_timer: Timer): Promise<void> => {
  const rt = runtime();
  const signer = await createSigner(rt.config.signingKeyId, rt.clients.credential);
  await runDailyExport({ blobs: rt.clients.blobs, log: rt.log.child({ component: 'export' }), signer });
};

export const approvalStatus: Http = (req) => statusOf(runtime().approvals, req);

export const consoleInbox: Http = (req) => inbox(req);

export const consoleSessions: Http = (req) => sessionsConsole(req);

export const consoleSession: Http = (req) => sessionConsole(req);

export const approvalsList: Http = (req) => listApprovals(runtime().approvals, req);

export const approvalDecision: Http = (req) => decideByApi(runtime().approvals, req);

export const review: Http = (req) => (req.method === 'POST' ? submitReview(runtime().approvals, req) : showReview(runtime().approvals, req));

export const reviewSignIn: Http = (req) => (req.method === 'POST' ? signIn(runtime().approvals, req) : showSignIn(runtime().approvals, req));

export const approvalMessage = (message: unknown, context: InvocationContext): Promise<void> =>
  handleApprovalMessage(runtime().approvals, message, {
    messageId: String(context.triggerMetadata?.messageId ?? ''),
    deliveryCount: Number(context.triggerMetadata?.deliveryCount ?? 1),
  });
