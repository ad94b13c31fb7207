// Link tokens: what the Approve and Deny buttons of a Teams card carry. A JWT (HS256 with the link
// key: the key is ours alone, unlike an OIDC issuer's) naming the approval, the action and a jti,
// expiring with the approval. The token only opens the review page for that action; the reviewer
// must still sign in, and a link acts once per reviewer (the jti is kept with the decision).
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { invalidLink, linkExpired, wrongLinkAction } from './refusals.js';
import type { Verdict } from './state.js';

const TYPE = 'portcullis-review-link+jwt';
const AUDIENCE = 'portcullis/review';

export interface Link {
  approvalId: string;
  action: Verdict;
  jti: string;
  expiresAt: Date;
}

export async function signLink(key: Uint8Array, link: { approvalId: string; action: Verdict; expiresAt: Date }): Promise<{ token: string; jti: string }> {
  const jti = randomUUID();
  const token = await new SignJWT({ aid: link.approvalId, act: link.action })
    .setProtectedHeader({ alg: 'HS256', typ: TYPE })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setJti(jti)
    // Never outlives the approval it is for.
    .setExpirationTime(Math.floor(link.expiresAt.getTime() / 1000))
    .sign(key);
  return { token, jti };
}

/** Verifies a link for `approvalId` (and `action`, when given); refuses 410 when expired, 403 otherwise. */
export async function verifyLink(key: Uint8Array, token: string, expected: { approvalId: string; action?: Verdict }, now = new Date()): Promise<Link> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      typ: TYPE,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'jti'],
      currentDate: now,
      clockTolerance: 5,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw linkExpired();
    }
    if (error instanceof errors.JOSEError) throw invalidLink('This review link is not valid.');
    throw error;
  }
  const { aid, act, jti, exp } = payload;
  if (aid !== expected.approvalId) throw invalidLink('This review link is for another request.');
  if (act !== 'approve' && act !== 'deny') throw invalidLink('This review link names no action.');
  if (expected.action && act !== expected.action) {
    throw wrongLinkAction(act);
  }
  return { approvalId: aid, action: act, jti: jti as string, expiresAt: new Date((exp as number) * 1000) };
}
