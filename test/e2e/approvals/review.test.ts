// Approvals end to end on the local stack (Azurite, the Service Bus double, the dev issuer) with a
// local HTTP sink standing in for the Teams webhook and a reviewer in headless Chromium: agent
// request → 202 → card → link → sign-in → decision → orchestrator → status → session log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceBusClient } from '@azure/service-bus';
import * as AdaptiveCards from 'adaptivecards';
import type { Browser, Page } from 'playwright-core';
import { approvalMessage, messageIdFor } from '../../../shared/approvals/messages.js';
import { APPROVALS_QUEUE } from '../../../shared/approvals/names.js';
import { secretSamples } from '../../support/masking.js';
import {
  cardLink,
  cardsFor,
  eventsOf,
  handled,
  holdRequest,
  json,
  session,
  startApprovalStack,
  status,
  upstreamCalls,
  waitFor,
  type ApprovalStack,
  type Held,
} from '../../integration/approvals/support.js';
import { startAll } from '../../../cli/dev/start-all.js';
import { needBinary } from '../../support/binaries.js';
import { decideOnPage, launchChromium, openReviewLink, renderCard } from './browser.js';

let s: ApprovalStack;
let browser: Browser;
let agent: string;

const RITA = { subject: 'rita', groups: ['reviewers'] };
const SAM = { subject: 'sam', groups: ['reviewers', 'ops'] };

const chromium = await needBinary('chromium');

before(async () => {
  const executable = chromium.path;
  if (executable === undefined) return;
  [s, browser] = await startAll(
    { start: () => startApprovalStack(), stop: (stack) => stack.stop() },
    { start: () => launchChromium(executable), stop: (b) => b.close() },
  );
  agent = await s.token('agent-7', ['agents']);
});

after(async () => {
  await browser?.close();
  await s?.stop();
});

async function withPage<T>(use: (page: Page) => Promise<T>): Promise<T> {
  // A fresh context per reviewer: no cookies, so each signs in.
  const context = await browser.newContext();
  try {
    return await use(await context.newPage());
  } finally {
    await context.close();
  }
}

async function cardOf(id: string): Promise<Record<string, unknown>> {
  const [card] = await waitFor('the Teams card', () => cardsFor(s, id).length > 0 && cardsFor(s, id));
  return card!;
}

const eventsFor = (held: Held) => eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!);

describe('approvals end to end', { skip: chromium.skip }, () => {
  it('approve: card, link in Chromium, sign-in, Approve → the agent gets the masked result, and the log verifies', async () => {
    const awsKey = secretSamples()['aws-access-key-id']!();
    const upstreamSecret = secretSamples()['github-token']!();
    s.upstream.route('/items/100', (_req, res) => json(res, 200, { deleted: 100, auditToken: upstreamSecret }));
    const held = await holdRequest(s, 'items/100', agent, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'duplicate', aws: awsKey }),
    });
    assert.equal(held.res.status, 202);

    const message = await cardOf(held.id);
    const card = (message.attachments as Array<{ contentType: string; content: unknown }>)[0]!;
    assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
    const parsed = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext();
    parsed.parse(card.content, context);
    assert.equal(context.eventCount, 0);
    assert.deepEqual(parsed.validateProperties().validationEvents, []);
    assert.ok(!JSON.stringify(card).includes(awsKey), 'the card shows the request masked');
    await withPage(async (page) => assert.deepEqual(await renderCard(page, card.content), ['Approve', 'Deny']));

    await withPage(async (page) => {
      assert.equal(await openReviewLink(page, cardLink(message, 'Approve'), RITA), 200);
      const text = await page.textContent('main');
      for (const shown of ['Approve this request?', 'agent-7', 'review-deletes', 'Deleting inventory needs a human', 'DELETE /items/100', 'duplicate', 'min']) {
        assert.ok(text!.includes(shown), `the page shows ${shown}`);
      }
      assert.ok(!(await page.content()).includes(awsKey), 'the page shows the request masked');
      assert.equal(await decideOnPage(page, 'duplicate of 99'), 200);
      assert.match((await page.textContent('h1'))!, /Approved/);
    });

    const res = await status(s, held.id, agent, { prefer: 'wait=30' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-portcullis-approval'), `${held.id}; status=completed`);
    const body = await res.text();
    assert.ok(!body.includes(upstreamSecret), 'the result is masked');
    assert.equal(JSON.parse(body).deleted, 100);
    assert.equal(upstreamCalls(s, '/items/100').length, 1);
    assert.equal(JSON.parse(upstreamCalls(s, '/items/100')[0]!.body.toString()).aws, awsKey, 'the target gets the original body');

    const log = await session(s, held.res.headers.get('x-portcullis-session')!);
    assert.equal(log.verified, true);
    const events = await eventsFor(held);
    assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'approval.decided', 'response']);
    const decided = events[3]!;
    assert.deepEqual(decided.approval, { id: held.id, status: 'approved', reviewer: { subject: 'rita', issuer: s.stack.issuerUrl }, reason: 'duplicate of 99' });
    assert.equal(events[2]!.approval!.status, 'pending');
    assert.ok(!JSON.stringify(log).includes(awsKey) && !JSON.stringify(log).includes(upstreamSecret));
  });

  it('deny: Deny with a reason → the agent gets 403 with that reason; nothing reaches the target', async () => {
    const held = await holdRequest(s, 'items/101', agent);
    const message = await cardOf(held.id);
    await withPage(async (page) => {
      assert.equal(await openReviewLink(page, cardLink(message, 'Deny'), SAM), 200);
      assert.ok((await page.textContent('h1'))!.includes('Deny this request?'));
      assert.equal(await decideOnPage(page, 'wrong environment'), 200);
      assert.match((await page.textContent('h1'))!, /Denied/);
    });
    const res = await status(s, held.id, agent, { prefer: 'wait=10' });
    assert.equal(res.status, 403);
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(problem.type, 'urn:portcullis:problem:approval-denied');
    assert.equal(problem.reason, 'wrong environment');
    assert.equal(upstreamCalls(s, '/items/101').length, 0);
    const events = await eventsFor(held);
    assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'approval.decided']);
    assert.deepEqual(events[3]!.approval, { id: held.id, status: 'denied', reviewer: { subject: 'sam', issuer: s.stack.issuerUrl }, reason: 'wrong environment' });
    assert.equal((await session(s, held.res.headers.get('x-portcullis-session')!)).verified, true);
  });

  it('expiry: no decision in time → 410 for the agent, approval.expired in the log, and the link answers 410', async () => {
    const held = await holdRequest(s, 'quick/100', agent);
    const message = await cardOf(held.id);
    const res = await status(s, held.id, agent, { prefer: 'wait=15' });
    assert.equal(res.status, 410);
    const events = await waitFor('approval.expired', async () => {
      const events = await eventsFor(held);
      return events.some((e) => e.type === 'approval.expired') && events;
    });
    assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'approval.expired']);
    await withPage(async (page) => {
      assert.equal(await openReviewLink(page, cardLink(message, 'Approve'), RITA), 410);
      assert.equal(await page.locator('form button').count(), 0);
    });
    assert.equal(upstreamCalls(s, '/quick/100').length, 0);
    assert.equal((await session(s, held.res.headers.get('x-portcullis-session')!)).verified, true);
  });

  it('self-approval: the requester, signed in as a reviewer, is refused and the request stays held', async () => {
    const ada = await s.token('ada', ['agents', 'reviewers']);
    const held = await holdRequest(s, 'items/102', ada);
    const message = await cardOf(held.id);
    await withPage(async (page) => {
      assert.equal(await openReviewLink(page, cardLink(message, 'Approve'), { subject: 'ada', groups: ['reviewers'] }), 403);
      assert.match((await page.textContent('main'))!, /own request/);
      assert.equal(await page.locator('form button').count(), 0);
    });
    assert.equal((await status(s, held.id, ada)).status, 202);
    assert.equal(upstreamCalls(s, '/items/102').length, 0);
    assert.ok(!(await eventsFor(held)).some((e) => e.type === 'approval.decided'));
  });

  it('replayed link: a second use of the link, and a second submit of its form, change nothing', async () => {
    s.upstream.route('/items/103', (_req, res) => json(res, 200, { deleted: 103 }));
    const held = await holdRequest(s, 'items/103', agent);
    const link = cardLink(await cardOf(held.id), 'Approve');
    await withPage(async (page) => {
      assert.equal(await openReviewLink(page, link, RITA), 200);
      const twin = await page.context().newPage();
      assert.equal((await twin.goto(link))!.status(), 200, 'the same form, open twice');
      assert.equal(await decideOnPage(page, 'ok'), 200);
      assert.equal(await decideOnPage(twin, 'ok again'), 409);
      assert.match((await twin.textContent('h1'))!, /Already decided/);
      assert.equal((await page.goto(link))!.status(), 409, 'the link itself');
    });
    await withPage(async (page) => assert.equal(await openReviewLink(page, link, SAM), 409, 'nor by another reviewer once closed'));
    assert.equal((await status(s, held.id, agent, { prefer: 'wait=20' })).status, 200);
    await handled(s, held.id, 'decided');
    assert.equal(upstreamCalls(s, '/items/103').length, 1);
    const events = await eventsFor(held);
    assert.deepEqual(events.map((e) => e.type), ['request', 'decision', 'approval.requested', 'approval.decided', 'response']);
  });

  it('a message delivered twice: repeats of requested, decided and timeout post no card and run nothing again', async () => {
    s.upstream.route('/items/104', (_req, res) => json(res, 200, { deleted: 104 }));
    const held = await holdRequest(s, 'items/104', agent);
    const message = await cardOf(held.id);
    await withPage(async (page) => {
      await openReviewLink(page, cardLink(message, 'Approve'), RITA);
      assert.equal(await decideOnPage(page), 200);
    });
    const first = await status(s, held.id, agent, { prefer: 'wait=20' });
    assert.equal(first.status, 200);
    const result = await first.text();
    await handled(s, held.id, 'decided');
    const before = await eventsFor(held);

    const bus = new ServiceBusClient(s.stack.serviceBus.connectionString);
    const sender = bus.createSender(APPROVALS_QUEUE);
    try {
      for (const event of ['requested', 'decided', 'timeout'] as const) {
        // The same messageId again (duplicate detection drops it), and a copy under a new one
        // (as a redelivery, or a resend after the detection window, would arrive).
        await sender.sendMessages(approvalMessage(held.id, event));
        await sender.sendMessages({ ...approvalMessage(held.id, event), messageId: `${messageIdFor(held.id, event)}:again` });
      }
    } finally {
      await sender.close();
      await bus.close();
    }
    await handled(s, held.id, 'requested', 2);
    await handled(s, held.id, 'decided', 2);
    await handled(s, held.id, 'timeout');

    assert.equal(cardsFor(s, held.id).length, 1, 'one card');
    assert.equal(upstreamCalls(s, '/items/104').length, 1, 'one execution');
    const again = await status(s, held.id, agent);
    assert.equal(again.status, 200);
    assert.equal(await again.text(), result);
    assert.deepEqual(await eventsFor(held), before);
    assert.equal((await session(s, held.res.headers.get('x-portcullis-session')!)).verified, true);
  });
});
