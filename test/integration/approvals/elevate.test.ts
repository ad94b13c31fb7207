// Elevation to the admin tier: only an approval of a review rule with `review: { elevate: admin }`
// runs a request with the connection's admin credential; other reviews run with the operation's
// tier, and a connection without an admin credential refuses the elevated request. Reviewers are
// told before they decide which credential the approved request will use: on the review page, the
// Teams card, the inbox API and the decision API's answer.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEV_ISSUER_POLICY } from '../../support/stack.js';
import { json } from '../../support/upstream.js';
import { cardLink, cardsFor, decision, startApprovalStack, waitFor, type ApprovalStack } from './support.js';

const tiers = (prefix: string, admin: boolean) => `
    credentials:
      read: { env: ${prefix}_READ, header: X-Api-Key, format: "{value}" }
      write: { env: ${prefix}_WRITE, header: X-Api-Key, format: "{value}" }${admin ? `\n      admin: { env: ${prefix}_ADMIN, header: X-Api-Key, format: "{value}" }` : ''}`;

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}${tiers('API', true)}
  lean:
    kind: http
    upstream: \${TEST_UPSTREAM}${tiers('LEAN', false)}
  plain:
    kind: http
    upstream: \${TEST_UPSTREAM}
    credential: { env: API_WRITE, header: X-Api-Key, format: "{value}" }
rules:
  - name: elevated-deletes
    match: { method: DELETE, path: /vaults/** }
    action: review
    review: { groups: [reviewers], elevate: admin }
  - name: reviewed-deletes
    match: { method: DELETE, path: /items/** }
    action: review
    review: { groups: [reviewers] }
`;

const keys = Object.fromEntries(['API_READ', 'API_WRITE', 'API_ADMIN', 'LEAN_READ', 'LEAN_WRITE'].map((k) => [k, randomBytes(16).toString('hex')]));
let s: ApprovalStack;
let agent: string;
let reviewer: string;

before(async () => {
  s = await startApprovalStack({ policy: POLICY, env: keys });
  s.upstream.route('/*', (_req, res) => json(res, 200, { ok: true }));
  agent = await s.token('agent-7', ['agents']);
  reviewer = await s.token('rita', ['reviewers']);
});

after(async () => {
  await s?.stop();
});

async function hold(connection: string, path: string): Promise<string> {
  const held = await fetch(`${s.stack.url}/api/proxy/${connection}/${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${agent}` } });
  assert.equal(held.status, 202, await held.clone().text());
  return ((await held.json()) as { id: string }).id;
}

/** Approves as rita, waits for the outcome; returns it, the decision API's answer and the key the upstream got. */
async function approve(id: string, path: string) {
  const decided = await decision(s, id, reviewer, { decision: 'approve', reason: 'ticket 7' });
  assert.equal(decided.status, 200);
  const answer = (await decided.json()) as Record<string, unknown>;
  const outcome = await fetch(`${s.stack.url}/api/approvals/${id}`, { headers: { authorization: `Bearer ${agent}`, prefer: 'wait=20' } });
  const body = await outcome.text();
  const call = s.upstream.received.filter((r) => r.url === `/${path}`).at(-1);
  return { status: outcome.status, body, answer, key: call?.headers['x-api-key'] };
}

/** What a reviewer is shown before deciding: the inbox entry, the card's facts and the review page. */
async function shown(id: string) {
  const inbox = (await (await fetch(`${s.stack.url}/api/approvals`, { headers: { authorization: `Bearer ${reviewer}` } })).json()) as {
    approvals: Array<Record<string, unknown>>;
  };
  const [message] = await waitFor('the card', () => cardsFor(s, id).length > 0 && cardsFor(s, id));
  const card = (message!.attachments as Array<{ content: { body: Array<{ type: string; facts?: Array<{ title: string; value: string }> }> } }>)[0]!.content;
  const facts = Object.fromEntries(card.body.find((b) => b.type === 'FactSet')!.facts!.map((f) => [f.title, f.value]));
  const signIn = await fetch(`${s.stack.url}/api/review/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.stack.url },
    body: new URLSearchParams({ subject: 'rita', groups: 'reviewers', issuer: s.stack.issuerUrl, return: '/api/review/x' }).toString(),
  });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(cardLink(message!, 'Approve'), { headers: { cookie } })).text();
  const credentialRow = /<dt>Credential<\/dt><dd[^>]*>([^<]*)<\/dd>/.exec(page)?.[1];
  const inboxPage = await (await fetch(`${s.stack.url}/api/review/inbox`, { headers: { cookie } })).text();
  const inboxRow = new RegExp(`<tr data-approval="${id.replace(/[.]/g, '\\.')}">[\\s\\S]*?</tr>`).exec(inboxPage)?.[0];
  assert.ok(inboxRow, 'the console inbox lists it');
  return { listed: inbox.approvals.find((a) => a.id === id), facts, page, credentialRow, inboxRow };
}

describe('elevation to admin by approval', () => {
  it('runs an approved request of an elevating rule with the admin credential, and tells the reviewer so first', async () => {
    const id = await hold('api', 'vaults/1');
    const { listed, facts, page, credentialRow, inboxRow } = await shown(id);
    assert.deepEqual(listed?.credential, { tier: 'admin', elevated: true, from: 'write' });
    assert.match(inboxRow, /Runs with the admin credential once approved/);
    assert.match(facts.Credential ?? '', /admin credential.*elevates it from write/);
    assert.match(credentialRow ?? '', /Runs with the admin credential once approved \(the rule elevates it from write\)/);
    assert.match(page, /<dd class="elevated">/);

    const outcome = await approve(id, 'vaults/1');
    assert.deepEqual(outcome.answer.credential, { tier: 'admin', elevated: true, from: 'write' });
    assert.equal(outcome.status, 200, outcome.body);
    assert.equal(outcome.key, keys.API_ADMIN);
  });

  it('runs an approved request of another review rule with the operation\'s tier, and says which', async () => {
    const id = await hold('api', 'items/1');
    const { listed, facts, credentialRow } = await shown(id);
    assert.deepEqual(listed?.credential, { tier: 'write', elevated: false });
    assert.equal(facts.Credential, 'Runs with the write credential');
    assert.equal(credentialRow, 'Runs with the write credential');

    const outcome = await approve(id, 'items/1');
    assert.deepEqual(outcome.answer.credential, { tier: 'write', elevated: false });
    assert.equal(outcome.status, 200, outcome.body);
    assert.equal(outcome.key, keys.API_WRITE);
  });

  it('runs with no more than the tier the reviewer was shown when the rule elevates only after the hold', async () => {
    const id = await hold('api', 'items/2');
    assert.deepEqual((await shown(id)).listed?.credential, { tier: 'write', elevated: false });
    const elevating = POLICY.replace('review: { groups: [reviewers] }\n', 'review: { groups: [reviewers], elevate: admin }\n');
    assert.notEqual(elevating, POLICY);
    await s.stack.writePolicy(`${elevating}  - { name: marker, match: { path: /probe }, action: deny, message: elevating-now }\n`);
    try {
      await waitFor('the new policy', async () => (await (await fetch(`${s.stack.url}/api/proxy/api/probe`, { headers: { authorization: `Bearer ${agent}` } })).text()).includes('elevating-now'));
      const outcome = await approve(id, 'items/2');
      assert.equal(outcome.status, 200, outcome.body);
      assert.equal(outcome.key, keys.API_WRITE, 'the write credential the reviewer approved, not admin');
    } finally {
      await s.stack.writePolicy(POLICY);
    }
  });

  it('names no tier on a connection with one credential', async () => {
    const id = await hold('plain', 'vaults/9');
    const { listed, facts, credentialRow, inboxRow } = await shown(id);
    assert.equal(listed?.credential, undefined);
    assert.doesNotMatch(inboxRow, /credential/);
    assert.equal(facts.Credential, undefined);
    assert.equal(credentialRow, undefined);
  });

  it('refuses an elevated request on a connection without an admin credential, sending nothing, and warns the reviewer first', async () => {
    const id = await hold('lean', 'vaults/2');
    const { listed, credentialRow } = await shown(id);
    assert.deepEqual(listed?.credential, { tier: 'admin', elevated: true, from: 'write', missing: true });
    assert.match(credentialRow ?? '', /admin credential, which this connection does not have: the approved request will be refused/);
    const outcome = await approve(id, 'vaults/2');
    assert.equal(outcome.key, undefined, 'nothing reached the upstream');
    assert.match(outcome.body, /tier-unavailable/);
  });
});
