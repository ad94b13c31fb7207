// The credential of the tier a request was granted (operation.ts says which tier an operation
// needs; the guard raises it). A connection with `credentials: { read, write, admin? }` gives each
// request the least it needs, a second line of defence: a write the classifier or a rule got wrong
// still meets a login that cannot write.
import { tierUnavailable } from './refusals.js';
import type { CredentialConfig, Tier } from './credential-schema.js';
import type { ConnectionConfig } from './schemas.js';

/** The credential a request of this tier uses: the connection's one credential, or its tier's. */
export function credentialFor(connection: string, config: Pick<ConnectionConfig, 'credential' | 'credentials'>, tier: Tier): CredentialConfig | undefined {
  if (!config.credentials) return config.credential;
  const credential = config.credentials[tier];
  // No admin credential: an elevated request is refused rather than run with other rights than granted.
  if (!credential) {
    throw tierUnavailable(connection, tier);
  }
  return credential;
}
