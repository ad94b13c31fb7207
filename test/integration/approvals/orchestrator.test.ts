// The orchestrator on the local stack's Service Bus double: one card per approval, idempotence
// under repeated messages, at-most-once execution, and a message that keeps failing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceBusClient, type ServiceBusSender } from '@azure/service-bus';
import { approvalMessage, MAX_DELIVERIES, messageIdFor } from '../../../shared/approvals/messages.js';
import { applyVerdict, startExecution } from '../../../shared/approvals/state.js';
import { runtime } from '../../../shared/app/runtime.js';
import { APPROVALS_QUEUE } from '../../../shared/approvals/names.js';
import {
  cardLink,
  cardsFor,
  decision,
  eventsOf,
  handled,
  holdRequest,
  json,
  POLICY,
  startApprovalStack,
  status,
  upstreamCalls,
  waitFor,
  type ApprovalStack,
} from './support.js';

let s: ApprovalStack;
let bus: ServiceBusClient;
let sender: ServiceBusSender;
let agent: string;
let rita: string;

before(async () => {
  s = await startApprovalStack();
  bus = new ServiceBusClient(s.stack.serviceBus.connectionString);
  sender = bus.createSender(APPROVALS_QUEUE);
  agent = await s.token('agent-7', ['agents']);
  rita = await s.token('rita', ['reviewers']);
});

after(async () => {
  await sender?.close();
  await bus?.close();
  await s?.stop();
});

/** Sends an approval message again; `copy` gives it a fresh messageId, as a redelivery past duplicate detection would be. */
const resend = (id: string, event: 'requested' | 'decided' | 'timeout' | 'recheck', copy?: string) =>
  sender.sendMessages({ ...approvalMessage(id, event), ...(copy ? { messageId: `${messageIdFor(id, event)}:${copy}` } : {}) });

describe('orchestrator', () => {
  it('posts one card per approval with Approve and Deny links; a repeated requested message posts none', async () => {
    const { id } = await holdRequest(s, 'items/20', agent);
    const [card] = await waitFor('the card', () => cardsFor(s, id).length === 1 && cardsFor(s, id));
    assert.match(cardLink(card!, 'Approve'), new RegExp(`^${s.stack.url}/api/review/${id.replace('.', '\\.')}\\?t=`));
    assert.notEqual(cardLink(card!, 'Approve'), cardLink(card!, 'Deny'));
    await handled(s, id, 'requested');

    await resend(id, 'requested');
    await resend(id, 'requested', 'again');
    await handled(s, id, 'requested', 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(cardsFor(s, id).length, 1);
  });

  it('runs an approved request once, however often decided and timeout arrive', async () => {
    s.upstream.route('/items/21', (_req, res) => json(res, 200, { deleted: 21 }));
    const held = await holdRequest(s, 'items/21', agent);
    await decision(s, held.id, rita, { decision: 'approve' });
    assert.equal((await status(s, held.id, agent, { prefer: 'wait=20' })).status, 200);
    await handled(s, held.id, 'decided');

    await resend(held.id, 'decided', 'a');
    await resend(held.id, 'decided', 'b');
    await resend(held.id, 'timeout', 'c');
    await handled(s, held.id, 'decided', 3);
    await handled(s, held.id, 'timeout');
    assert.equal(upstreamCalls(s, '/items/21').length, 1);
    const res = await status(s, held.id, agent);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { deleted: 21 });
    const events = await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);
    assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'approval.decided', 'response']);
  });

  it('does not run again a request whose execution was interrupted: it fails with execution-interrupted', async () => {
    const held = await holdRequest(s, 'items/22', agent);
    // As if a delivery had claimed the execution long ago and died before storing the outcome.
    const { store } = runtime().approvals;
    const reviewer = { subject: 'rita', issuer: s.stack.issuerUrl, groups: ['reviewers'], aliases: [] };
    const longAgo = new Date(Date.now() - 60 * 60_000);
    await store.update(held.id, (a) => startExecution(applyVerdict(a, reviewer, { verdict: 'approve', via: 'api' }, longAgo), longAgo));
    await resend(held.id, 'decided');
    const res = await status(s, held.id, agent, { prefer: 'wait=20' });
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { error: string }).error, 'execution-interrupted');
    assert.equal(upstreamCalls(s, '/items/22').length, 0);
  });

  it('leaves a recently claimed execution to the delivery running it, and settles it on the recheck', async () => {
    const held = await holdRequest(s, 'items/25', agent);
    const { store } = runtime().approvals;
    const reviewer = { subject: 'rita', issuer: s.stack.issuerUrl, groups: ['reviewers'], aliases: [] };
    await store.update(held.id, (a) => startExecution(applyVerdict(a, reviewer, { verdict: 'approve', via: 'api' }, new Date()), new Date()));
    await resend(held.id, 'decided');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal((await store.get(held.id))?.status, 'executing', 'a claim within its grace period is not failed');
    // The grace period has passed when the recheck arrives, with no answer stored.
    await store.update(held.id, (a) => ({ ...a, executingSince: new Date(Date.now() - 60 * 60_000).toISOString() }));
    await resend(held.id, 'recheck', 'after-grace');
    const res = await status(s, held.id, agent, { prefer: 'wait=20' });
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { error: string }).error, 'execution-interrupted');
    assert.equal(upstreamCalls(s, '/items/25').length, 0);
  });

  it('re-sends decided from the timeout for an approval still waiting to run', async () => {
    s.upstream.route('/items/23', (_req, res) => json(res, 200, { deleted: 23 }));
    const held = await holdRequest(s, 'items/23', agent);
    // Approved, but its decided message was never sent.
    const { store } = runtime().approvals;
    const reviewer = { subject: 'rita', issuer: s.stack.issuerUrl, groups: ['reviewers'], aliases: [] };
    await store.update(held.id, (a) => applyVerdict(a, reviewer, { verdict: 'approve', via: 'api' }, new Date()));
    await resend(held.id, 'timeout', 'early');
    assert.equal((await status(s, held.id, agent, { prefer: 'wait=20' })).status, 200);
    assert.equal(upstreamCalls(s, '/items/23').length, 1);
  });

  it('fails the approval, recorded in the session, when requested keeps failing; the message is dead-lettered', async () => {
    s.teamsStatus.value = 500;
    try {
      const held = await holdRequest(s, 'items/24', agent);
      const res = await status(s, held.id, agent, { prefer: 'wait=30' });
      assert.equal(res.status, 502);
      const problem = (await res.json()) as Record<string, string>;
      assert.equal(problem.error, 'approval-message-failed');
      assert.match(problem.detail!, /requested step failed 5 times/);
      assert.ok(!problem.detail!.includes(s.webhookUrl));
      assert.equal(s.teams.received.filter((r) => r.body.includes(held.id)).length, MAX_DELIVERIES);

      const events = await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);
      assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'error']);
      assert.equal(events.at(-1)!.error!.type, 'approval-message-failed');

      const dlq = bus.createReceiver(APPROVALS_QUEUE, { subQueueType: 'deadLetter' });
      const dead = await waitFor('the dead letter', async () => (await dlq.peekMessages(50)).find((m) => m.messageId === messageIdFor(held.id, 'requested')));
      await dlq.close();
      assert.equal(dead.deadLetterReason, 'MaxDeliveryCountExceeded');
      assert.equal((await decision(s, held.id, rita, { decision: 'approve' })).status, 409, 'a failed approval is closed');
    } finally {
      s.teamsStatus.value = 202;
    }
  });

  it('does not run an approved request that the policy in force now denies', async () => {
    const held = await holdRequest(s, 'items/25', agent);
    await s.stack.writePolicy(`${POLICY}
  - { name: freeze, match: { path: [/items/25, /probe] }, action: deny, message: Change freeze }
`);
    try {
      await waitFor('the new policy', async () => (await fetch(`${s.stack.url}/api/proxy/api/probe`, { headers: { authorization: `Bearer ${agent}` } })).status === 403);
      await decision(s, held.id, rita, { decision: 'approve' });
      const res = await status(s, held.id, agent, { prefer: 'wait=20' });
      assert.equal(res.status, 502);
      const problem = (await res.json()) as Record<string, string>;
      assert.equal(problem.error, 'denied');
      assert.match(problem.detail!, /Change freeze/);
      assert.equal(upstreamCalls(s, '/items/25').length, 0);
    } finally {
      await s.stack.writePolicy(POLICY);
    }
  });

  it('does not run an approved request whose review the policy in force now asks more of', async () => {
    const held = await holdRequest(s, 'items/27', agent);
    const raised = POLICY.replace(
      'review: { groups: [reviewers] }\n  - name: two-person-rule',
      'review: { groups: [reviewers], minApprovals: 2 }\n  - name: two-person-rule',
    );
    assert.notEqual(raised, POLICY);
    await s.stack.writePolicy(`${raised}
  - { name: marker, match: { path: /probe-27 }, action: deny }
`);
    try {
      // A marker of its own: another test's policy may still be in force, with its own /probe rule.
      await waitFor('the new policy', async () => (await fetch(`${s.stack.url}/api/proxy/api/probe-27`, { headers: { authorization: `Bearer ${agent}` } })).status === 403);
      await decision(s, held.id, rita, { decision: 'approve' });
      const res = await status(s, held.id, agent, { prefer: 'wait=20' });
      assert.equal(res.status, 502);
      const problem = (await res.json()) as Record<string, string>;
      assert.equal(problem.error, 'review-requirement-raised');
      assert.match(problem.detail!, /2 approvals, where it had 1/);
      assert.equal(upstreamCalls(s, '/items/27').length, 0);
    } finally {
      await s.stack.writePolicy(POLICY);
      // The next test holds a request at once: under this one's policy it would need two approvals.
      await waitFor('the policy restored', async () => (await fetch(`${s.stack.url}/api/proxy/api/probe-27`, { headers: { authorization: `Bearer ${agent}` } })).status !== 403);
    }
  });

  it('does not run an approved request whose connection the policy no longer has: connection-removed, not unknown-connection', async () => {
    const held = await holdRequest(s, 'items/26', agent);
    const renamed = POLICY.replace('\n  api:\n', '\n  api-next:\n');
    assert.notEqual(renamed, POLICY);
    await s.stack.writePolicy(renamed);
    try {
      await waitFor('the new policy', async () => (await fetch(`${s.stack.url}/api/proxy/api/probe`, { headers: { authorization: `Bearer ${agent}` } })).status === 404);
      await decision(s, held.id, rita, { decision: 'approve' });
      const res = await status(s, held.id, agent, { prefer: 'wait=20' });
      assert.equal(res.status, 502);
      const problem = (await res.json()) as Record<string, string>;
      assert.equal(problem.type, 'urn:portcullis:problem:approval-failed');
      assert.equal(problem.error, 'connection-removed');
      assert.match(problem.detail!, /no connection "api" any more/);
      assert.equal(upstreamCalls(s, '/items/26').length, 0);
    } finally {
      await s.stack.writePolicy(POLICY);
    }
  });

  it('never writes the webhook URL or a link token to the log', async () => {
    const logged = JSON.stringify(s.stack.log.lines);
    assert.ok(!logged.includes(new URL(s.webhookUrl).search.slice(1)), 'webhook signature');
    assert.ok(!logged.includes('?t=ey'), 'link token');
  });
});
