// The error shapes connection kinds' clients read, added to a refusal's problem document so that an
// agent's SDK says why it was refused instead of "403 (no body)". A kind names its dialect
// (`ConnectionKind.errorDialect`); the problem members stay, so a client reading problem+json
// still finds them (except where a shape needs the same name: a Kubernetes Status's `status`).
import type { ErrorDialect, Refusal } from '../platform/problem.js';

/** One line for an agent: what was refused and why, with the rule that decided it. */
export function refusalMessage(refusal: Refusal, requestId: string): string {
  const rule = typeof refusal.extensions.rule === 'string' ? `rule ${refusal.extensions.rule}, ` : '';
  return `${refusal.title}: ${refusal.detail} (${rule}request ${requestId})`;
}

/** The error `type` OpenAI's and Anthropic's APIs use for an HTTP status. */
function llmErrorType(status: number): string {
  if (status === 400 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409) return 'conflict_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  return 'api_error';
}

/** OpenAI's `{ "error": { "message", "type", "code", "param" } }`: what the openai SDKs put in an APIError. */
export const openaiErrors: ErrorDialect = {
  members: (refusal, requestId) => ({
    error: { message: refusalMessage(refusal, requestId), type: llmErrorType(refusal.status), code: refusal.type, param: null },
  }),
};

/**
 * For a request whose connection is not known, so neither is its kind: an `error` member with the
 * message, where OpenAI's SDKs and Anthropic's (which read `error.message` too) both find it.
 */
export const unknownKindErrors: ErrorDialect = openaiErrors;

/**
 * Anthropic's `{ "type": "error", "error": { "type", "message" } }`. The top-level `type` stays the
 * problem type (the SDK reads only `error`); the `error` member is Anthropic's.
 */
export const anthropicErrors: ErrorDialect = {
  members: (refusal, requestId) => ({ error: { type: llmErrorType(refusal.status), message: refusalMessage(refusal, requestId) } }),
};

/** `denied` → `Denied`, `unknown-connection` → `UnknownConnection`: ARM's error codes are Pascal case. */
const pascal = (slug: string) => slug.replace(/(^|[-_.])([a-z0-9])/g, (_, _sep: string, c: string) => c.toUpperCase());

/** ARM's `{ "error": { "code", "message" } }`, as JSON: the Azure SDKs parse no other media type into a RestError. */
export const armErrors: ErrorDialect = {
  contentType: 'application/json; charset=utf-8',
  members: (refusal, requestId) => ({ error: { code: pascal(refusal.type), message: refusalMessage(refusal, requestId) } }),
};

/** Kubernetes API reasons for the statuses a refusal takes (metav1.StatusReason). */
function kubernetesReason(status: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
    413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests', 503: 'ServiceUnavailable', 504: 'Timeout',
  };
  return reasons[status] ?? 'InternalError';
}

/**
 * A Kubernetes `Status` (kind Status, apiVersion v1), as JSON: kubectl and client-go decode a
 * failure's body into one only from a media type they know. Its `status` is "Failure" and its
 * `code` the HTTP status, so the problem's numeric `status` gives way.
 */
export const kubernetesErrors: ErrorDialect = {
  contentType: 'application/json',
  members: (refusal, requestId) => ({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: refusalMessage(refusal, requestId),
    reason: kubernetesReason(refusal.status),
    code: refusal.status,
  }),
};

/** JSON-RPC's "server error" range; MCP clients show `error.message`. */
export const JSON_RPC_REFUSED = -32001;

/**
 * A JSON-RPC 2.0 error response for MCP clients. The refusal does not know the request's id, so
 * `id` is null, as JSON-RPC prescribes when it cannot be told.
 */
export const jsonRpcErrors: ErrorDialect = {
  contentType: 'application/json',
  members: (refusal, requestId) => ({
    jsonrpc: '2.0',
    id: null,
    error: { code: JSON_RPC_REFUSED, message: refusalMessage(refusal, requestId), data: { type: refusal.type, status: refusal.status, requestId } },
  }),
};
