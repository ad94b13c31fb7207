import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { Refusal } from '../platform/problem.js';
import { deriveKeys } from './keys.js';
import { signLink, verifyLink } from './link-token.js';
import { applyVerdict, openApproval } from './state.js';

const keys = deriveKeys(randomBytes(32));
const ID = 'api.0123456789abcdef0123456789abcdef';
const NOW = new Date();
const inAnHour = new Date(NOW.getTime() + 3_600_000);

const refusal = async (promise: Promise<unknown>): Promise<Refusal> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  assert.fail('expected a Refusal');
};

describe('link tokens', () => {
  it('carry the approval, the action and a jti, and expire with the approval', async () => {
    const { token, jti } = await signLink(keys.link, { approvalId: ID, action: 'approve', expiresAt: inAnHour });
    const link = await verifyLink(keys.link, token, { approvalId: ID, action: 'approve' }, NOW);
    assert.equal(link.action, 'approve');
    assert.equal(link.jti, jti);
    assert.equal(link.expiresAt.getTime(), Math.floor(inAnHour.getTime() / 1000) * 1000);
    const [header] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), { alg: 'HS256', typ: 'portcullis-review-link+jwt' });
  });

  it('refuses an expired link with 410', async () => {
    const { token } = await signLink(keys.link, { approvalId: ID, action: 'approve', expiresAt: new Date(NOW.getTime() - 60_000) });
    const r = await refusal(verifyLink(keys.link, token, { approvalId: ID }, NOW));
    assert.equal(r.status, 410);
    assert.equal(r.type, 'link-expired');
  });

  it('refuses a link for the other action with 403', async () => {
    const { token } = await signLink(keys.link, { approvalId: ID, action: 'deny', expiresAt: inAnHour });
    const r = await refusal(verifyLink(keys.link, token, { approvalId: ID, action: 'approve' }, NOW));
    assert.equal(r.status, 403);
    assert.equal(r.type, 'wrong-link-action');
  });

  it('refuses a link for another approval with 403', async () => {
    const { token } = await signLink(keys.link, { approvalId: ID, action: 'approve', expiresAt: inAnHour });
    assert.equal((await refusal(verifyLink(keys.link, token, { approvalId: 'api.ffffffffffffffffffffffffffffffff' }, NOW))).type, 'invalid-link');
  });

  it('refuses a tampered link: changed action, changed approval, or another key', async () => {
    const { token } = await signLink(keys.link, { approvalId: ID, action: 'deny', expiresAt: inAnHour });
    const [h, p, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, act: 'approve' })).toString('base64url')}.${sig}`;
    assert.equal((await refusal(verifyLink(keys.link, forged, { approvalId: ID, action: 'approve' }, NOW))).type, 'invalid-link');
    const other = await signLink(deriveKeys(randomBytes(32)).link, { approvalId: ID, action: 'approve', expiresAt: inAnHour });
    assert.equal((await refusal(verifyLink(keys.link, other.token, { approvalId: ID }, NOW))).type, 'invalid-link');
    // Signed with a key of another purpose (the CSRF key), it is still refused.
    const crossPurpose = await signLink(keys.csrf, { approvalId: ID, action: 'approve', expiresAt: inAnHour });
    assert.equal((await refusal(verifyLink(keys.link, crossPurpose.token, { approvalId: ID }, NOW))).type, 'invalid-link');
  });

  it('refuses an HS256 token of the right key but another type, and alg none', async () => {
    const plain = await new SignJWT({ aid: ID, act: 'approve' }).setProtectedHeader({ alg: 'HS256' }).setAudience('portcullis/review').setJti('x').setExpirationTime('1h').sign(keys.link);
    assert.equal((await refusal(verifyLink(keys.link, plain, { approvalId: ID }, NOW))).type, 'invalid-link');
    const none = `${Buffer.from('{"alg":"none","typ":"portcullis-review-link+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify({ aid: ID, act: 'approve', jti: 'x', aud: 'portcullis/review', exp: 9999999999 })).toString('base64url')}.`;
    assert.equal((await refusal(verifyLink(keys.link, none, { approvalId: ID }, NOW))).type, 'invalid-link');
  });

  it('refuses a replayed link: its second use by the same reviewer changes nothing (409)', async () => {
    const { token } = await signLink(keys.link, { approvalId: ID, action: 'approve', expiresAt: inAnHour });
    const link = await verifyLink(keys.link, token, { approvalId: ID, action: 'approve' }, NOW);
    const pending = openApproval({
      id: ID,
      now: NOW,
      timeoutMs: 3_600_000,
      base: {
        sessionId: 's',
        requestId: 'r',
        principal: { subject: 'agent', issuer: 'https://i', groups: [] },
        connection: 'api',
        operation: { kind: 'http', summary: 'DELETE /x', actions: [], resources: [], flags: [] },
      },
      requesterAliases: [],
      rule: 'r',
      message: 'm',
      review: { groups: ['reviewers'], minApprovals: 2 },
    });
    const rita = { subject: 'rita', issuer: 'https://i', groups: ['reviewers'], aliases: [] };
    const once = applyVerdict(pending, rita, { verdict: 'approve', via: 'page', link: link.jti }, NOW);
    assert.throws(() => applyVerdict(once, rita, { verdict: 'approve', via: 'page', link: link.jti }, NOW), (e: unknown) => e instanceof Refusal && e.status === 409 && e.type === 'link-used');
  });
});
