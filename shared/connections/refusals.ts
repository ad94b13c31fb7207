// The refusals of what connection kinds share: credentials, target paths, upstream calls and
// response masking. A kind's own refusals are in its folder's refusals.ts. A catalogue imports
// only platform/problem.ts; every problem type here is listed in docs/problems.md.
import { Refusal, unavailable } from '../platform/problem.js';

/** The credential could not be obtained now (Key Vault, managed identity, environment). */
export const credentialUnavailable = (connection: string, why: string) =>
  unavailable({
    type: 'credential-unavailable',
    title: 'Credential unavailable',
    detail: `The gateway could not obtain the credential for connection "${connection}" (${why}); the request was not forwarded.`,
    retryAfterSeconds: 5,
  });

/** The credential was obtained but cannot be sent; retrying does not help until the secret is fixed. */
export const credentialNotSendable = (connection: string) =>
  new Refusal({
    status: 503,
    type: 'credential-unavailable',
    title: 'Credential unavailable',
    detail: `The credential for connection "${connection}" contains control characters and cannot be sent in a header; fix the secret.`,
  });

export const badPath = (detail: string) => new Refusal({ status: 400, type: 'bad-path', title: 'Path not allowed', detail });

export const upstreamRedirect = (connection: string) =>
  new Refusal({
    status: 502,
    type: 'upstream-redirect',
    title: 'Upstream redirected off its origin',
    detail: `The upstream of "${connection}" redirected to another origin; the gateway does not follow it.`,
  });

export const upstreamTimeout = (connection: string, timeoutMs: number) =>
  new Refusal({
    status: 504,
    type: 'upstream-timeout',
    title: 'Upstream timed out',
    detail: `The upstream of "${connection}" did not answer within ${timeoutMs} ms.`,
  });

export const upstreamUnreachable = (connection: string, why: string) =>
  new Refusal({
    status: 502,
    type: 'upstream-unreachable',
    title: 'Upstream unreachable',
    detail: `The upstream of "${connection}" could not be reached (${why}).`,
  });

/** Binary, or a stream of an unknown format or encoding, that the connection does not opt to pass. */
export const unmaskableResponse = (connection: string, what: string, optOut: string) =>
  new Refusal({
    status: 502,
    type: 'unmaskable-response',
    title: 'Response cannot be masked',
    detail: `The upstream of "${connection}" answered with ${what}, which the gateway cannot mask; the connection does not set ${optOut}.`,
  });

export const unmaskableNesting = (connection: string, maxDepth: number) =>
  new Refusal({
    status: 502,
    type: 'unmaskable-response',
    title: 'Response cannot be masked',
    detail: `The upstream of "${connection}" answered with JSON nested more than ${maxDepth} deep, which the gateway does not mask.`,
  });

export const unmaskableNotText = (connection: string, contentType: string | undefined) =>
  new Refusal({
    status: 502,
    type: 'unmaskable-response',
    title: 'Response cannot be masked',
    detail: `The upstream of "${connection}" answered with ${contentType ?? 'a body'} that is not text (it holds NUL bytes), which the gateway cannot mask; the connection does not set streams: { unknown: pass }.`,
  });

/** A prompt request (openai, anthropic) whose body is not a JSON object. */
export const promptBodyNotObject = (action: string) =>
  new Refusal({
    status: 400,
    type: 'invalid-body',
    title: 'Request body is not valid',
    detail: `A ${action} request must have a JSON object body; the gateway judges its prompt before anything is sent.`,
  });

/** A SQL request body (postgres, mysql) that is not `{ sql, params? }`. */
export const invalidSqlRequest = (detail: string) => new Refusal({ status: 400, type: 'invalid-sql-request', title: 'Invalid SQL request', detail });

/** The decision granted a credential tier the connection does not have (an elevation to admin). */
export const tierUnavailable = (connection: string, tier: string) =>
  new Refusal({
    status: 403,
    type: 'tier-unavailable',
    title: 'Credential tier unavailable',
    detail: `The request was granted the ${tier} tier, but connection "${connection}" has no ${tier} credential; it was not forwarded.`,
    extensions: { tier },
  });

/**
 * A request held for review, for a kind whose clients read any 2xx as the answer they asked for
 * (ConnectionKind.heldRefusal): kubectl would decode a 202 as the object, the OpenAI and Anthropic
 * SDKs as a completion. A 403 is a failure each prints with its message (`Error from server
 * (Forbidden): …`, PermissionDeniedError) and none retries (they retry 408, 409, 429 and 5xx). It
 * names the rule's message and the approval; the same request again once approved gets the answer.
 */
export const heldForReview = (held: { approval: string; rule: string; message: string; statusUrl: string; expiresAt: string }) =>
  new Refusal({
    status: 403,
    type: 'held-for-review',
    title: 'Held for review',
    detail: `${held.message.replace(/\.?$/, '.')} Approval ${held.approval} waits for a reviewer until ${held.expiresAt} (status: ${held.statusUrl}); send the same request again once it is approved to get its answer.`,
    extensions: { rule: held.rule, approval: held.approval, statusUrl: held.statusUrl },
  });
