// Which credential tier a request runs with. A connection with `credentials: { read, write, admin? }`
// gives each request the least it needs: read-only operations the `read` credential, everything
// else `write`; the rule that allowed it may raise it to `write`, and only an approval to `admin`.
// The tier is a second line of defence: a write the classifier or a rule got wrong still meets a
// login that cannot write. Pure.
import { Refusal } from '../platform/problem.js';
import type { CredentialConfig, Tier } from './credential-schema.js';
import type { Operation } from './operation.js';
import type { ConnectionConfig } from './schemas.js';

/** The flag a kind's classify sets on an operation that only reads (SQL in a READ ONLY transaction, a model call that stores nothing). */
export const READ_ONLY_FLAG = 'read-only';

/** RFC 9110's safe methods: for kinds that speak HTTP, these read. Kinds without HTTP methods set the flag. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

const RANK: Record<Tier, number> = { read: 0, write: 1, admin: 2 };

/** Whether an operation only reads, as far as its kind can tell. */
export function readOnly(operation: Pick<Operation, 'method' | 'flags'>): boolean {
  return operation.flags.includes(READ_ONLY_FLAG) || SAFE_METHODS.has(operation.method);
}

/** The tier of an operation, raised by the deciding rule or approval (never lowered). */
export function tierFor(operation: Pick<Operation, 'method' | 'flags'>, raisedTo?: Tier): Tier {
  const base: Tier = readOnly(operation) ? 'read' : 'write';
  return raisedTo && RANK[raisedTo] > RANK[base] ? raisedTo : base;
}

/** The credential a request of this tier uses: the connection's one credential, or its tier's. */
export function credentialFor(connection: string, config: Pick<ConnectionConfig, 'credential' | 'credentials'>, tier: Tier): CredentialConfig | undefined {
  if (!config.credentials) return config.credential;
  const credential = config.credentials[tier];
  // No admin credential: an elevated request is refused rather than run with other rights than granted.
  if (!credential) {
    throw new Refusal({
      status: 403,
      type: 'tier-unavailable',
      title: 'Credential tier unavailable',
      detail: `The request was granted the ${tier} tier, but connection "${connection}" has no ${tier} credential; it was not forwarded.`,
      extensions: { tier },
    });
  }
  return credential;
}
