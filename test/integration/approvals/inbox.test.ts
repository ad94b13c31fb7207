// The reviewer's inbox (GET /api/approvals) and `portcullis approvals` over it, on the local stack:
// a reviewer lists what they may decide, paged; a requester and a stranger see nothing to decide;
// an auditor sees everything; the CLI lists, shows, approves and denies.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../cli/main.js';
import type { CliIo } from '../../../cli/io.js';
import { decision, holdRequest, startApprovalStack, type ApprovalStack } from './support.js';

let s: ApprovalStack;
let agent: string;
let rita: string;
let sam: string;
const held: string[] = [];

before(async () => {
  s = await startApprovalStack({ teams: false });
  agent = await s.token('agent-7', ['agents']);
  rita = await s.token('rita', ['reviewers']);
  sam = await s.token('sam', ['reviewers']);
  for (const item of ['1', '2', '3']) held.push((await holdRequest(s, `items/${item}`, agent)).id);
});

after(async () => {
  await s?.stop();
});

interface Page {
  approvals: Array<{ id: string; status: string; operation: string; requester: string; rule: string; expiresAt: string; mayDecide: boolean; links: { review: string } }>;
  continuation?: string;
  next?: string;
}

const inbox = async (token: string, query = ''): Promise<Page> => {
  const res = await fetch(`${s.stack.url}/api/approvals${query}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Page;
};

function cli(env: Record<string, string>): { io: CliIo; out: () => string; err: () => string } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  stdin.end('');
  return { io: { stdin, stdout, stderr, isTTY: false, env, cwd: process.cwd() }, out: () => out, err: () => err };
}

describe('the reviewer\'s inbox: GET /api/approvals', () => {
  it('lists the pending approvals a reviewer may decide, with operation, requester, rule, expiry and the review page', async () => {
    const page = await inbox(rita, '?status=pending');
    const mine = page.approvals.filter((a) => held.includes(a.id));
    assert.deepEqual(mine.map((a) => a.id).sort(), [...held].sort());
    for (const a of mine) {
      assert.equal(a.status, 'pending');
      assert.equal(a.mayDecide, true);
      assert.match(a.operation, /DELETE \/items\/\d/);
      assert.match(a.requester, /agent-7/);
      assert.equal(a.rule, 'review-deletes');
      assert.ok(Date.parse(a.expiresAt) > Date.now());
      assert.equal(a.links.review, `${s.stack.url}/api/review/${a.id}`);
    }
  });

  it('shows nothing to decide to the requester or to someone outside the reviewer groups', async () => {
    assert.deepEqual((await inbox(agent)).approvals, []);
    assert.deepEqual((await inbox(await s.token('stranger', ['other']))).approvals, []);
  });

  it('drops what the reviewer already decided, and shows it under its new status', async () => {
    const res = await decision(s, held[0]!, sam, { decision: 'deny', reason: 'not today' });
    assert.equal(res.status, 200);
    assert.ok(!(await inbox(rita)).approvals.some((a) => a.id === held[0]));
    assert.ok((await inbox(rita, '?status=denied')).approvals.some((a) => a.id === held[0]));
  });

  it('answers at most `limit` approvals, and pages through the rest with no gap and no repeat', async () => {
    // Rita's own request: the auditor pages over it, rita's pages skip it.
    await holdRequest(s, 'items/9', rita);
    for (const [name, token] of [['auditor', await s.token('auditor-1', ['auditors'])], ['reviewer', rita]] as const) {
      const whole = (await inbox(token, '?status=pending')).approvals.map((a) => a.id);
      assert.ok(whole.length >= 2, name);
      const seen: string[] = [];
      let page = await inbox(token, '?status=pending&limit=1');
      for (let guard = 0; guard < 20; guard++) {
        assert.ok(page.approvals.length <= 1, `${name}: ${page.approvals.length} approvals for limit=1`);
        seen.push(...page.approvals.map((a) => a.id));
        if (!page.next) break;
        assert.ok(page.continuation);
        const res = await fetch(page.next, { headers: { authorization: `Bearer ${token}` } });
        page = (await res.json()) as Page;
      }
      assert.deepEqual(seen, whole, name);
    }
    const first = await inbox(rita, '?limit=1');
    assert.equal(first.approvals.length, 1);
    assert.ok(first.continuation);
  });

  it('refuses a continuation it did not issue, or issued for another status, with 400 invalid-continuation', async () => {
    const { continuation } = await inbox(rita, '?limit=1');
    const forged = Buffer.from(JSON.stringify({ x: 1 })).toString('base64url');
    for (const query of ['?continuation=garbage', '?continuation=%7B%7D', `?continuation=${forged}`, `?status=denied&continuation=${continuation}`]) {
      const res = await fetch(`${s.stack.url}/api/approvals${query}`, { headers: { authorization: `Bearer ${rita}` } });
      assert.equal(res.status, 400, query);
      assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:invalid-continuation', query);
    }
  });

  it('refuses an unknown status and a caller without a token', async () => {
    const bad = await fetch(`${s.stack.url}/api/approvals?status=maybe`, { headers: { authorization: `Bearer ${rita}` } });
    assert.equal(bad.status, 400);
    assert.equal((await fetch(`${s.stack.url}/api/approvals`)).status, 401);
  });
});

describe('portcullis approvals', () => {
  it('lists, shows and approves with a reviewer\'s token', async () => {
    const env = { PORTCULLIS_URL: s.stack.url, PORTCULLIS_TOKEN: rita };
    const listed = cli(env);
    assert.equal(await main(['approvals', 'list'], listed.io), 0, listed.err());
    for (const id of held.slice(1)) assert.ok(listed.out().includes(id), listed.out());
    assert.match(listed.out(), /review-deletes/);

    const shown = cli(env);
    assert.equal(await main(['approvals', 'show', held[1]!], shown.io), 0, shown.err());
    assert.match(shown.out(), /operation\s+DELETE \/items\/2/);
    assert.match(shown.out(), /review page\s+http/);

    const approved = cli(env);
    assert.equal(await main(['approvals', 'approve', held[1]!, '--reason', 'ticket 9'], approved.io), 0, approved.err());
    assert.match(approved.out(), new RegExp(`${held[1]}: approved \\(1 of 1 approvals\\)`));

    const denied = cli({ ...env, PORTCULLIS_TOKEN: agent });
    assert.equal(await main(['approvals', 'deny', held[2]!], denied.io), 1);
    assert.match(denied.err(), /^portcullis approvals deny: 403 /);
  });
});
