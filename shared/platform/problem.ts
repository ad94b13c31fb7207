// Refusals and application/problem+json (RFC 9457). Every step of the pipeline throws a Refusal
// when it cannot let a request through; one place (toProblem) turns it into the HTTP answer.
// Refusals are built only in each module's catalogue (`refusals.ts`), so that every problem type is
// named once and listed in docs/problems.md (test/architecture/refusals.test.ts checks both).

export interface RefusalInit {
  status: number;
  /** Short slug; the problem type is `urn:portcullis:problem:<slug>`. */
  type: string;
  title: string;
  detail: string;
  /** Extra members of the problem document (e.g. `rule`). Never a secret. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * How the clients of a connection kind read an error (the openai SDK reads `error.message`, the
 * Azure SDKs `error.code` and only from `application/json`): members added to the problem document,
 * and the media type to send it as when those clients parse no other. The gateway sets it on a
 * refusal once it knows the connection's kind.
 */
export interface ErrorDialect {
  members(refusal: Refusal, requestId: string): Record<string, unknown>;
  contentType?: string;
}

export class Refusal extends Error {
  /** Set by the gateway for refusals on an agent route: the error shape that kind's clients read. */
  dialect?: ErrorDialect;
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(init: RefusalInit) {
    super(`${init.title}: ${init.detail}`);
    this.name = 'Refusal';
    this.status = init.status;
    this.type = init.type;
    this.title = init.title;
    this.detail = init.detail;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
  }
}

/**
 * The same refusal saying `detail` instead (its detail masked): what it answers and what is
 * recorded of it, in the dialect it was given.
 */
export function withDetail(refusal: Refusal, detail: string): Refusal {
  if (detail === refusal.detail) return refusal;
  const { status, type, title, extensions, headers, dialect } = refusal;
  const copy = new Refusal({ status, type, title, detail, extensions, headers });
  copy.dialect = dialect;
  return copy;
}

/**
 * The one shape of "this step cannot run now, try again in N seconds": 503 with Retry-After. The
 * request was not carried out, so a retry is safe.
 */
export function unavailable(init: { type: string; title: string; detail: string; retryAfterSeconds: number }): Refusal {
  const { retryAfterSeconds, ...rest } = init;
  return new Refusal({ ...rest, status: 503, headers: { 'retry-after': String(retryAfterSeconds) } });
}

export const problemType = (slug: string) => `urn:portcullis:problem:${slug}`;

export function problemBody(refusal: Refusal, requestId: string): Record<string, unknown> {
  return {
    type: problemType(refusal.type),
    title: refusal.title,
    status: refusal.status,
    detail: refusal.detail,
    ...refusal.extensions,
    requestId,
    ...refusal.dialect?.members(refusal, requestId),
  };
}

/** An answer in the shape Azure Functions' HttpResponseInit takes; kept here so that no step needs the Functions SDK. */
export interface ProblemAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function toProblem(refusal: Refusal, requestId: string): ProblemAnswer {
  return {
    status: refusal.status,
    headers: {
      ...refusal.headers,
      'content-type': refusal.dialect?.contentType ?? 'application/problem+json',
      'x-request-id': requestId,
      'cache-control': 'no-store',
    },
    body: JSON.stringify(problemBody(refusal, requestId)),
  };
}

/** The answer to an error nobody anticipated: a 500 that says nothing about internals. */
export function internalError(requestId: string): ProblemAnswer {
  return toProblem(
    new Refusal({
      status: 500,
      type: 'internal',
      title: 'Internal error',
      detail: 'The gateway failed to handle this request; it was not forwarded. Quote the request id when reporting it.',
    }),
    requestId,
  );
}
