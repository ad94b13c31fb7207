// The refusals identity can throw: 401 with an RFC 6750 challenge when the token is missing or
// not acceptable, 503 when the issuer's keys cannot be loaded (the token was not judged at all).
// A catalogue imports only platform/problem.ts; every problem type here is listed in docs/problems.md.
import { Refusal, unavailable } from '../platform/problem.js';

const CHALLENGE = 'Bearer realm="portcullis"';

// RFC 6750 §3: error_description is limited to printable ASCII without `"` and `\`.
const quotable = (text: string) => text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');

const unauthorizedWith = (detail: string, challenge: string) =>
  new Refusal({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail, headers: { 'www-authenticate': challenge } });

/** No credentials for this scheme: the challenge carries no error code (RFC 6750 §3.1). */
export const noToken = (detail: string) => unauthorizedWith(detail, CHALLENGE);

/** A token was presented and is not acceptable. `detail` must never contain the token. */
export const invalidToken = (detail: string) =>
  unauthorizedWith(detail, `${CHALLENGE}, error="invalid_token", error_description="${quotable(detail)}"`);

export const identityUnavailable = (retryAfterSeconds: number) =>
  unavailable({
    type: 'identity-unavailable',
    title: 'Identity provider unavailable',
    detail: "The signing keys of the token's issuer cannot be loaded, so the token cannot be verified; try again later.",
    retryAfterSeconds,
  });
