// The review page over plain HTTP (dev sign-in): sign-in, the page's headers, and the decision
// POST's defences — Origin, CSRF token, link action — each refused without changing anything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cardLink, cardsFor, holdRequest, startApprovalStack, status, waitFor, type ApprovalStack } from './support.js';

let s: ApprovalStack;
let agent: string;

before(async () => {
  s = await startApprovalStack();
  agent = await s.token('agent-7', ['agents']);
});

after(async () => {
  await s?.stop();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function signIn(subject: string, groups: string, issuer = s.stack.issuerUrl, origin = s.stack.url): Promise<Response> {
  return fetch(`${s.stack.url}/api/review/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: form({ subject, groups, issuer, return: '/api/review/somewhere' }),
  });
}

async function cookieFor(subject: string, groups = 'reviewers'): Promise<string> {
  const res = await signIn(subject, groups);
  assert.equal(res.status, 303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** A held request and its Approve link, opened by a signed-in reviewer: the form's hidden fields. */
async function openForm(cookie: string, path: string, title: 'Approve' | 'Deny' = 'Approve', init: Parameters<typeof holdRequest>[3] = {}) {
  const held = await holdRequest(s, path, agent, init);
  const [message] = await waitFor('the card', () => cardsFor(s, held.id).length > 0 && cardsFor(s, held.id));
  const link = cardLink(message!, title);
  const page = await fetch(link, { headers: { cookie } });
  const html = await page.text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  return { held, link, page, html, fields: { t: field('t')!, csrf: field('csrf')!, decision: field('decision')! } };
}

const post = (id: string, cookie: string, fields: Record<string, string>, origin: string | null = s.stack.url) =>
  fetch(`${s.stack.url}/api/review/${id}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(origin === null ? {} : { origin }) },
    body: form(fields),
  });

describe('review page', () => {
  it('signs a dev reviewer in with an HttpOnly, SameSite=Strict cookie scoped to the review pages', async () => {
    const res = await signIn('rita', 'reviewers, ops');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/api/review/somewhere');
    const cookie = res.headers.get('set-cookie')!;
    assert.match(cookie, /^portcullis-reviewer=[^;]+; Path=\/api\/review; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  });

  it('refuses a sign-in from another origin, for an untrusted issuer, or returning off the review pages', async () => {
    assert.equal((await signIn('rita', 'reviewers', s.stack.issuerUrl, 'https://evil.example')).status, 403);
    assert.equal((await signIn('rita', 'reviewers', 'https://evil.example')).status, 403);
    const offsite = await fetch(`${s.stack.url}/api/review/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.stack.url },
      body: form({ subject: 'rita', groups: 'reviewers', issuer: s.stack.issuerUrl, return: 'https://evil.example/' }),
    });
    assert.equal(offsite.status, 400);
    for (const to of ['/api/review/x\r\nSet-Cookie: evil=1', '/api/review/x\ty', '/api/review/\u202ex']) {
      const res = await fetch(`${s.stack.url}/api/review/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.stack.url },
        body: form({ subject: 'rita', groups: 'reviewers', issuer: s.stack.issuerUrl, return: to }),
      });
      assert.equal(res.status, 400, JSON.stringify(to));
      assert.match(await res.text(), /invalid: return/);
      assert.equal(res.headers.get('set-cookie'), null);
    }
    const page = await (await fetch(`${s.stack.url}/api/review/sign-in?return=${encodeURIComponent('/api/review/x\r\nSet-Cookie: evil=1')}`)).text();
    assert.match(page, /name="return" value="\/api\/review\/"/, 'the form offers the review pages instead');
  });

  it('sends an anonymous visitor to the sign-in, and asks for the link', async () => {
    const { link } = await openForm(await cookieFor('rita'), 'items/30');
    const anonymous = await fetch(link, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.get('location')!, /^\/api\/review\/sign-in\?return=%2Fapi%2Freview%2Fapi\./);
    const noLink = await fetch(link.split('?')[0]!, { headers: { cookie: await cookieFor('rita') } });
    assert.equal(noLink.status, 400);
  });

  it('serves the page with a CSP, X-Frame-Options DENY and no caching, and shows no form to a non-reviewer', async () => {
    const { page, link } = await openForm(await cookieFor('rita'), 'items/31');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'.*form-action 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const outsider = await fetch(link, { headers: { cookie: await cookieFor('olga', 'ops') } });
    assert.equal(outsider.status, 403);
    assert.ok(!(await outsider.text()).includes('<form'));
  });

  it('shows bidi overrides and zero-width characters from the agent as escapes: review page and timeline', async () => {
    const session = `bidi-${Date.now()}`;
    const { html } = await openForm(await cookieFor('rita'), 'items/35', 'Approve', {
      headers: { 'content-type': 'application/json', 'x-portcullis-session': session },
      body: JSON.stringify({ target: 'prod\u202etset', note: 'zero\u200bwidth' }),
    });
    const timeline = await (await fetch(`${s.stack.url}/api/review/sessions/${session}`, { headers: { cookie: await cookieFor('audrey', 'auditors') } })).text();
    for (const [name, page] of Object.entries({ review: html, timeline })) {
      assert.ok(!/[\u202e\u200b]/.test(page), `${name}: no raw invisible character`);
      assert.ok(page.includes('prod\\u202etset') && page.includes('zero\\u200bwidth'), `${name}: the body shows the escapes`);
    }
  });

  it('refuses a console inbox continuation it did not issue with a 400 page', async () => {
    const cookie = await cookieFor('rita');
    for (const continuation of ['garbage', '%7B%7D', Buffer.from('{"q":"pending","after":"x"}').toString('base64url')]) {
      const res = await fetch(`${s.stack.url}/api/review/inbox?continuation=${continuation}`, { headers: { cookie } });
      assert.equal(res.status, 400, continuation);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.match(await res.text(), /continuation token is not one this API issued/);
    }
  });

  it('refuses a decision posted without our Origin, changing nothing', async () => {
    const cookie = await cookieFor('rita');
    const { held, fields } = await openForm(cookie, 'items/32');
    assert.equal((await post(held.id, cookie, fields, 'https://evil.example')).status, 403);
    assert.equal((await post(held.id, cookie, fields, null)).status, 403);
    assert.equal((await status(s, held.id, agent)).status, 202);
    assert.equal((await post(held.id, cookie, fields)).status, 200, 'the same form from our origin works');
  });

  it('refuses a CSRF token issued to another reviewer, or none, changing nothing', async () => {
    const rita = await cookieFor('rita');
    const sam = await cookieFor('sam');
    const { held, fields } = await openForm(rita, 'items/33');
    assert.equal((await post(held.id, sam, fields)).status, 403, 'rita\'s form, sent with sam\'s sign-in');
    assert.equal((await post(held.id, rita, { ...fields, csrf: 'x'.repeat(43) })).status, 403);
    assert.equal((await post(held.id, rita, { t: fields.t, decision: fields.decision })).status, 400);
    assert.equal((await status(s, held.id, agent)).status, 202);
  });

  it('refuses an Approve link posted as a denial (403), and a tampered link token (403)', async () => {
    const cookie = await cookieFor('rita');
    const { held, fields } = await openForm(cookie, 'items/34');
    const wrongAction = await post(held.id, cookie, { ...fields, decision: 'deny' });
    assert.equal(wrongAction.status, 403);
    assert.match(await wrongAction.text(), /not for the decision sent/);
    const [h, p, sig] = fields.t.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString('base64url')}.${sig}`;
    assert.equal((await post(held.id, cookie, { ...fields, t: tampered })).status, 403);
    assert.equal((await status(s, held.id, agent)).status, 202);
  });
});
