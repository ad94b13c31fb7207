// Which session a request belongs to. The rule is documented in docs/sessions.md as well.
import { Refusal } from '../platform/problem.js';
import { sha256Hex } from './chain.js';
import { sessionIdSchema } from './schema.js';

export const SESSION_HEADER = 'x-portcullis-session';

/**
 * The session id of a request, from the first of these that applies:
 *
 * 1. the `x-portcullis-session` header, used as is. It must be 1–200 letters, digits, `.`, `_` or
 *    `-`, starting with a letter or digit; any other value (empty included) is refused with a 400,
 *    never rewritten, so two clients cannot end up in one session by accident.
 * 2. a CI run named by the (already verified) token:
 *    - GitHub Actions `repository`, `run_id`, `run_attempt` → `gh-{owner}.{repo}-{run_id}-{run_attempt}`
 *    - GitLab CI `project_path`, `pipeline_id` → `gl-{group}.{project}-{pipeline_id}`
 * 3. the token's `jti` → `jti-{jti}`.
 * 4. otherwise the token itself → `tok-` and 32 hex digits of SHA-256 over `iss`, `sub` and `iat`,
 *    so every request made with one token is one session.
 *
 * A derived id that would not be a valid session id (odd characters, too long) keeps its prefix and
 * becomes 32 hex digits of the SHA-256 of what it was made from.
 */
export function sessionIdFor(headers: Headers, claims: Record<string, unknown>): string {
  const header = headers.get(SESSION_HEADER);
  if (header !== null) {
    if (!sessionIdSchema.safeParse(header).success) {
      throw new Refusal({
        status: 400,
        type: 'invalid-session',
        title: 'Invalid session id',
        detail: `${SESSION_HEADER} must be 1-200 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      });
    }
    return header;
  }
  const claim = (name: string) => {
    const value = claims[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  const [repository, runId, runAttempt] = [claim('repository'), claim('run_id'), claim('run_attempt')];
  if (repository && runId && runAttempt) return derived('gh', `${repository.replaceAll('/', '.')}-${runId}-${runAttempt}`);
  const [projectPath, pipelineId] = [claim('project_path'), claim('pipeline_id')];
  if (projectPath && pipelineId) return derived('gl', `${projectPath.replaceAll('/', '.')}-${pipelineId}`);
  const jti = claim('jti');
  if (jti) return derived('jti', jti);
  return `tok-${sha256Hex(`${claim('iss') ?? ''}\n${claim('sub') ?? ''}\n${claim('iat') ?? ''}`).slice(0, 32)}`;
}

function derived(prefix: string, value: string): string {
  const id = `${prefix}-${value}`;
  return sessionIdSchema.safeParse(id).success ? id : `${prefix}-${sha256Hex(value).slice(0, 32)}`;
}
