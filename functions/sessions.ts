// The auditor API: query the session index, and replay one session with its chain verified.
import { requireAuditor } from '../shared/app/auditor.js';
import { runtime } from '../shared/app/runtime.js';
import { defineHttp } from '../shared/platform/triggers.js';
import { Refusal } from '../shared/platform/problem.js';
import { querySessions, readSession } from '../shared/sessions/index.js';

const query = (req: { query: URLSearchParams }, name: string) => req.query.get(name) ?? undefined;

export const sessionsList = defineHttp({
  name: 'sessions-list',
  route: 'sessions',
  methods: ['GET'],
  handler: async (req) => {
    const rt = runtime();
    await requireAuditor(rt, req);
    const decision = query(req, 'decision');
    if (decision !== undefined && decision !== 'deny' && decision !== 'review') {
      throw new Refusal({ status: 400, type: 'invalid-query', title: 'Invalid query', detail: 'decision must be deny or review' });
    }
    const page = await querySessions(
      rt.clients,
      { principal: query(req, 'principal'), connection: query(req, 'connection'), decision, from: query(req, 'from'), to: query(req, 'to') },
      { limit: query(req, 'limit'), continuation: query(req, 'continuation') },
    );
    return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: page };
  },
});

export const sessionsGet = defineHttp({
  name: 'sessions-get',
  route: 'sessions/{id}',
  methods: ['GET'],
  handler: async (req) => {
    const rt = runtime();
    await requireAuditor(rt, req);
    const session = await readSession(rt.clients, req.params.id ?? '', { from: query(req, 'from'), to: query(req, 'to') });
    if (!session) {
      throw new Refusal({ status: 404, type: 'unknown-session', title: 'Unknown session', detail: `No session "${req.params.id}" in that range.` });
    }
    return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: session };
  },
});
