// Which session a request belongs to. The rule is documented in docs/sessions.md as well.
import { sha256Hex } from './chain.js';
import { invalidSession } from './refusals.js';
import { sessionIdSchema } from './schema.js';

export const SESSION_HEADER = 'x-portcullis-session';

/** Who a derived id is for: the verified principal and its token's claims. */
export interface SessionClaimant {
  issuer: string;
  subject: string;
  claims: Readonly<Record<string, unknown>>;
}

/**
 * The session id of a request, from the first of these that applies:
 *
 * 1. the `x-portcullis-session` header, used as is. It must be 1–200 letters, digits, `.`, `_` or
 *    `-`, starting with a letter or digit; any other value (empty included) is refused with a 400,
 *    never rewritten, so two clients cannot end up in one session by accident.
 * 2. a CI run named by the (already verified) token:
 *    - GitHub Actions `repository`, `run_id`, `run_attempt` → `gh-{owner}.{repo}-{run_id}-{run_attempt}-{p}`
 *    - GitLab CI `project_path`, `pipeline_id` → `gl-{group}.{project}-{pipeline_id}-{p}`
 * 3. the token's `jti` → `jti-{jti}-{p}`.
 * 4. otherwise the token itself → `tok-` and 32 hex digits of SHA-256 over issuer, subject and
 *    `iat`, so every request made with one token is one session.
 *
 * `{p}` is 16 hex digits of SHA-256 over the principal's issuer and subject: a run id or `jti` is
 * only unique within its issuer (and another issuer may reuse it on purpose), so two principals
 * never derive the same session. A derived id that would not be a valid session id (odd
 * characters, too long) keeps its prefix and becomes 32 hex digits of the SHA-256 of the
 * principal and what it was made from. Whoever names a session, it belongs to the principal
 * that opened it (owners.ts).
 */
export function sessionIdFor(headers: Headers, who: SessionClaimant): string {
  const header = headers.get(SESSION_HEADER);
  if (header !== null) {
    if (!sessionIdSchema.safeParse(header).success) {
      throw invalidSession(SESSION_HEADER);
    }
    return header;
  }
  const claim = (name: string) => {
    const value = who.claims[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  const principal = `${who.issuer}\n${who.subject}`;
  const derived = (prefix: string, value: string): string => {
    const id = `${prefix}-${value}-${sha256Hex(principal).slice(0, 16)}`;
    return sessionIdSchema.safeParse(id).success ? id : `${prefix}-${sha256Hex(`${principal}\n${value}`).slice(0, 32)}`;
  };
  const [repository, runId, runAttempt] = [claim('repository'), claim('run_id'), claim('run_attempt')];
  if (repository && runId && runAttempt) return derived('gh', `${repository.replaceAll('/', '.')}-${runId}-${runAttempt}`);
  const [projectPath, pipelineId] = [claim('project_path'), claim('pipeline_id')];
  if (projectPath && pipelineId) return derived('gl', `${projectPath.replaceAll('/', '.')}-${pipelineId}`);
  const jti = claim('jti');
  if (jti) return derived('jti', jti);
  return `tok-${sha256Hex(`${principal}\n${claim('iat') ?? ''}`).slice(0, 32)}`;
}
