// The review page behind App Service Authentication (PORTCULLIS_REVIEW_AUTH=appservice): the
// reviewer is whoever x-ms-client-principal says, nobody without it, and there is no dev sign-in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cardLink, cardsFor, eventsOf, holdRequest, startApprovalStack, status, waitFor, type ApprovalStack, type Held } from './support.js';

let s: ApprovalStack;
let agent: string;

before(async () => {
  s = await startApprovalStack({ env: { PORTCULLIS_REVIEW_AUTH: 'appservice', WEBSITE_AUTH_ENABLED: 'True', WEBSITE_AUTH_AAD_ALLOWED_TENANTS: 'tenant-0, tenant-1' } });
  agent = await s.token('agent-7', ['agents']);
});

after(async () => {
  await s?.stop();
});

const principal = (objectId: string, groups: string[], options: { authType?: string; tenant?: string | null } = {}) =>
  Buffer.from(
    JSON.stringify({
      auth_typ: options.authType ?? 'aad',
      name_typ: 'name',
      role_typ: 'roles',
      claims: [
        { typ: 'iss', val: 'https://login.microsoftonline.com/tenant-1/v2.0' },
        { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: objectId },
        ...(options.tenant === null ? [] : [{ typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: options.tenant ?? 'tenant-1' }]),
        ...groups.map((val) => ({ typ: 'groups', val })),
      ],
    }),
  ).toString('base64');

async function approveLink(path: string): Promise<{ id: string; link: string; held: Held }> {
  const held = await holdRequest(s, path, agent);
  const [message] = await waitFor('the card', () => cardsFor(s, held.id).length > 0 && cardsFor(s, held.id));
  return { id: held.id, link: cardLink(message!, 'Approve'), held };
}

describe('review page with App Service Authentication', () => {
  it('answers 401 without a client principal', async () => {
    const { link } = await approveLink('items/40');
    const res = await fetch(link, { redirect: 'manual' });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /App Service Authentication/);
  });

  it('takes the reviewer from x-ms-client-principal, and records the object id as the reviewer', async () => {
    const { id, link, held } = await approveLink('items/41');
    const headers = { 'x-ms-client-principal': principal('object-rita', ['reviewers']), 'x-ms-client-principal-idp': 'aad' };
    const page = await fetch(link, { headers });
    assert.equal(page.status, 200);
    const html = await page.text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!;
    const res = await fetch(`${s.stack.url}/api/review/${id}`, {
      method: 'POST',
      headers: { ...headers, origin: s.stack.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ t: field('t'), csrf: field('csrf'), decision: 'approve', reason: 'via Entra' }).toString(),
    });
    assert.equal(res.status, 200);
    assert.equal((await status(s, id, agent, { prefer: 'wait=20' })).status, 200);
    const decided = (await eventsOf(s, held.res.headers.get('x-portcullis-session')!, held.res.headers.get('x-request-id')!)).find((e) => e.type === 'approval.decided');
    assert.deepEqual(decided!.approval, {
      id,
      status: 'approved',
      reviewer: { subject: 'object-rita', issuer: 'https://login.microsoftonline.com/tenant-1/v2.0' },
      reason: 'via Entra',
    });
  });

  it('refuses a second decision by the same Entra object: approved through the API, then on the page', async () => {
    const held = await holdRequest(s, 'vaults/44', agent);
    const token = await s.token('rita-cli-app', ['reviewers'], { claims: { tid: 'tenant-1', oid: 'object-rita-2' } });
    const first = await fetch(`${s.stack.url}/api/approvals/${held.id}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"decision":"approve"}',
    });
    assert.deepEqual(await first.json(), { id: held.id, status: 'pending', approvals: 1, required: 2 });
    const [message] = await waitFor('the card', () => cardsFor(s, held.id).length > 0 && cardsFor(s, held.id));
    const page = await fetch(cardLink(message!, 'Approve'), { headers: { 'x-ms-client-principal': principal('object-rita-2', ['reviewers']), 'x-ms-client-principal-idp': 'aad' } });
    assert.equal(page.status, 409);
    assert.match(await page.text(), /already decided/);
    assert.equal((await status(s, held.id, agent)).status, 202);
  });

  it('refuses a signed-in member of no reviewer group', async () => {
    const { link } = await approveLink('items/42');
    const res = await fetch(link, { headers: { 'x-ms-client-principal': principal('object-olga', ['g-ops']), 'x-ms-client-principal-idp': 'aad' } });
    assert.equal(res.status, 403);
  });

  it('refuses a reviewer-group principal from another identity provider, another tenant, or no tenant', async () => {
    const { id, link } = await approveLink('items/43');
    const refused: Record<string, string>[] = [
      { 'x-ms-client-principal': principal('object-rita', ['reviewers']), 'x-ms-client-principal-idp': 'github' },
      { 'x-ms-client-principal': principal('object-rita', ['reviewers']) },
      { 'x-ms-client-principal': principal('object-rita', ['reviewers'], { authType: 'google' }), 'x-ms-client-principal-idp': 'aad' },
      { 'x-ms-client-principal': principal('object-rita', ['reviewers'], { tenant: 'tenant-2' }), 'x-ms-client-principal-idp': 'aad' },
      { 'x-ms-client-principal': principal('object-rita', ['reviewers'], { tenant: null }), 'x-ms-client-principal-idp': 'aad' },
    ];
    for (const headers of refused) {
      const page = await fetch(link, { headers, redirect: 'manual' });
      assert.equal(page.status, 401, JSON.stringify(headers));
      await page.body?.cancel();
      const post = await fetch(`${s.stack.url}/api/review/${id}`, {
        method: 'POST',
        headers: { ...headers, origin: s.stack.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ t: new URL(link).searchParams.get('t')!, csrf: 'x', decision: 'approve', reason: 'forged' }).toString(),
      });
      assert.equal(post.status, 401, JSON.stringify(headers));
      await post.body?.cancel();
    }
    const ok = await fetch(link, { headers: { 'x-ms-client-principal': principal('object-rita', ['reviewers'], { tenant: 'TENANT-0' }), 'x-ms-client-principal-idp': 'aad' } });
    assert.equal(ok.status, 200, 'a listed tenant, in any case, is accepted');
    await ok.body?.cancel();
  });

  it('has no dev sign-in', async () => {
    assert.equal((await fetch(`${s.stack.url}/api/review/sign-in`)).status, 404);
    const post = await fetch(`${s.stack.url}/api/review/sign-in`, {
      method: 'POST',
      headers: { origin: s.stack.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'subject=x&groups=reviewers&issuer=x&return=/api/review/x',
    });
    assert.equal(post.status, 404);
  });
});
