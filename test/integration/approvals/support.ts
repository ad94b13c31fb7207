// Shared by the approvals integration and e2e tests: a stack whose policy holds DELETEs for review,
// a recording upstream, a local HTTP sink standing in for the Teams Workflows webhook, and small
// clients for the agent, reviewers and auditors.
import { randomBytes } from 'node:crypto';
import { startAll } from '../../../cli/dev/start-all.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';
import { json, startTestUpstream, type Received, type TestUpstream } from '../../support/upstream.js';
import type { SessionEvent } from '../../../shared/sessions/index.js';

export const POLICY = `${DEV_ISSUER_POLICY}
auditors:
  groups: [auditors]
approvals:
  timeout: 10m
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}
    credential: { env: TEST_UPSTREAM_TOKEN, header: Authorization, format: "Bearer {value}" }
rules:
  - { name: agents-read, match: { groups: agents, method: GET }, action: allow }
  - name: review-deletes
    match: { method: DELETE, path: /items/** }
    action: review
    message: Deleting inventory needs a human
    review: { groups: [reviewers] }
  - name: two-person-rule
    match: { method: DELETE, path: /vaults/** }
    action: review
    message: Vaults need two reviewers
    review: { groups: [reviewers], minApprovals: 2 }
  - name: quick-review
    match: { method: DELETE, path: /quick/** }
    action: review
    message: Decide fast
    review: { groups: [reviewers], timeout: 3s }
`;

export interface ApprovalStack {
  stack: TestStack;
  upstream: TestUpstream;
  /** The Teams webhook stand-in; `teamsStatus` is what it answers. */
  teams: TestUpstream;
  teamsStatus: { value: number };
  webhookUrl: string;
  upstreamToken: string;
  /** An agent's or reviewer's token from the dev issuer; `options.claims` adds claims (Entra's `tid` and `oid`, say). */
  token: TestStack['token'];
  stop(): Promise<void>;
}

export async function startApprovalStack(options: { teams?: boolean; env?: Record<string, string>; policy?: string } = {}): Promise<ApprovalStack> {
  const [upstream, teams] = await startAll(
    { start: () => startTestUpstream(), stop: (u) => u.close() },
    { start: () => startTestUpstream(), stop: (u) => u.close() },
  );
  const teamsStatus = { value: 202 };
  teams.route('/workflows/*', (_req, res) => {
    res.writeHead(teamsStatus.value);
    res.end();
  });
  // The webhook URL is a secret (its query carries the signature), so tests check it never leaks.
  const webhookUrl = `${teams.url}/workflows/hook?sig=${randomBytes(12).toString('hex')}`;
  const upstreamToken = randomBytes(16).toString('hex');
  let stack: TestStack;
  try {
    stack = await startTestStack({
      policy: options.policy ?? POLICY,
      env: {
        TEST_UPSTREAM: upstream.url,
        TEST_UPSTREAM_TOKEN: upstreamToken,
        // Empty turns off the dev stack's own card sink: no webhook at all.
        PORTCULLIS_TEAMS_WEBHOOK_URL: options.teams === false ? '' : webhookUrl,
        ...options.env,
      },
    });
  } catch (error) {
    // The stack did not start: the two upstreams must not keep the test file alive.
    await Promise.allSettled([upstream.close(), teams.close()]);
    throw error;
  }
  return {
    stack,
    upstream,
    teams,
    teamsStatus,
    webhookUrl,
    upstreamToken,
    token: (subject, groups, tokenOptions) => stack.token(subject, groups, tokenOptions),
    async stop() {
      await stack.stop();
      await upstream.close();
      await teams.close();
    },
  };
}

export interface Held {
  res: Response;
  id: string;
  body: Record<string, unknown>;
}

/** An agent request the policy holds for review: 202 and the approval id. */
export async function holdRequest(s: ApprovalStack, path: string, token: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Held> {
  const res = await fetch(`${s.stack.url}/api/proxy/api/${path}`, {
    method: 'DELETE',
    ...init,
    headers: { authorization: `Bearer ${token}`, ...init.headers },
  });
  if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as Record<string, unknown>;
  return { res, id: String(body.id), body };
}

export const status = (s: ApprovalStack, id: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${s.stack.url}/api/approvals/${id}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

export const decision = (s: ApprovalStack, id: string, token: string, body: Record<string, unknown>) =>
  fetch(`${s.stack.url}/api/approvals/${id}/decision`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A session as the auditor API returns it. */
export async function session(s: ApprovalStack, sessionId: string): Promise<{ verified: boolean; events: SessionEvent[] }> {
  const auditor = await s.token('auditor-1', ['auditors']);
  const res = await fetch(`${s.stack.url}/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${auditor}` } });
  if (res.status !== 200) throw new Error(`session ${sessionId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { verified: boolean; events: SessionEvent[] };
}

/** The events of one held request, in order. */
export async function eventsOf(s: ApprovalStack, sessionId: string, requestId: string): Promise<SessionEvent[]> {
  return (await session(s, sessionId)).events.filter((e) => e.requestId === requestId && e.type !== 'session.start');
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The Teams messages the sink received for `approvalId`. */
export function cardsFor(s: ApprovalStack, approvalId: string): Array<Record<string, unknown>> {
  return s.teams.received
    .filter((r: Received) => r.method === 'POST' && r.body.toString().includes(approvalId))
    .map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
}

/** The card's Approve or Deny link. */
export function cardLink(message: Record<string, unknown>, title: 'Approve' | 'Deny'): string {
  const card = (message.attachments as Array<{ content: { actions: Array<{ title: string; url: string }> } }>)[0]!.content;
  return card.actions.find((a) => a.title === title)!.url;
}

/** Waits until the orchestrator has handled `event` for an approval `times` times (from its log). */
export function handled(s: ApprovalStack, approvalId: string, event: string, times = 1): Promise<Array<Record<string, unknown>>> {
  return waitFor(`${event} handled ${times}x for ${approvalId}`, () => {
    const lines = s.stack.log.lines.filter((l) => l.message === 'approval message handled' && l.approvalId === approvalId && l.event === event);
    return lines.length >= times && lines;
  });
}

export const upstreamCalls = (s: ApprovalStack, path: string) => s.upstream.received.filter((r) => r.url === path);

export { json };
