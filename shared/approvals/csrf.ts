// The review form's CSRF defence: a token bound to the signed-in reviewer, the approval and the
// link (an HMAC with the CSRF key), checked together with the Origin header. A page on another
// site can neither read the token nor send our Origin.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Identity } from './people.js';

export function csrfToken(key: Uint8Array, reviewer: Identity, approvalId: string, jti: string): string {
  return createHmac('sha256', key).update(JSON.stringify([reviewer.issuer, reviewer.subject, approvalId, jti])).digest('base64url');
}

export function csrfValid(key: Uint8Array, token: string, reviewer: Identity, approvalId: string, jti: string): boolean {
  const expected = Buffer.from(csrfToken(key, reviewer, approvalId, jti));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Whether a form post comes from our own pages: browsers send Origin on every POST. */
export const sameOrigin = (origin: string | null, publicUrl: string) => origin !== null && origin === new URL(publicUrl).origin;
