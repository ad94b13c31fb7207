// Resolves a connection's credential inside the gateway: a Key Vault secret or a managed-identity
// token (both cached until shortly before they expire), or, in development only, an environment
// variable. The value is returned to the forwarder and never logged, recorded or echoed.
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { Refusal } from '../platform/problem.js';
import type { CredentialConfig } from './credential-schema.js';
import { credentialUnavailable } from './refusals.js';

export interface CredentialResolver {
  resolve(connection: string, config: CredentialConfig): Promise<string>;
}

export interface CredentialResolverOptions {
  credential: TokenCredential;
  env: 'development' | 'production';
  variables: Record<string, string | undefined>;
  /** How long a Key Vault secret is reused before it is read again (rotation takes effect then). */
  secretTtlMs?: number;
  secretClient?: (vaultUrl: string) => Pick<SecretClient, 'getSecret'>;
  /** A user-assigned managed identity of the app, by client id (credential tiers give each its own). */
  managedIdentity?: (clientId: string) => TokenCredential;
  now?: () => number;
}

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export function createCredentialResolver(options: CredentialResolverOptions): CredentialResolver {
  const now = options.now ?? Date.now;
  const ttl = options.secretTtlMs ?? 5 * 60_000;
  const clients = new Map<string, Pick<SecretClient, 'getSecret'>>();
  const cache = new Map<string, { value: string; expiresAt: number }>();
  const pending = new Map<string, Promise<{ value: string; expiresAt: number }>>();
  const secretClient =
    options.secretClient ?? ((vault: string) => new SecretClient(vault, options.credential));
  const identities = new Map<string, TokenCredential>();
  const identity = (clientId: string | undefined): TokenCredential => {
    if (clientId === undefined) return options.credential;
    let found = identities.get(clientId);
    if (!found) identities.set(clientId, (found = options.managedIdentity?.(clientId) ?? new ManagedIdentityCredential({ clientId })));
    return found;
  };

  async function fetchValue(connection: string, config: CredentialConfig): Promise<{ value: string; expiresAt: number }> {
    if (config.keyVault) {
      const { vault, secret } = config.keyVault;
      let client = clients.get(vault);
      if (!client) clients.set(vault, (client = secretClient(vault)));
      const result = await client.getSecret(secret);
      if (!result.value) throw credentialUnavailable(connection, `Key Vault secret "${secret}" has no value`);
      const expires = result.properties.expiresOn?.getTime() ?? Infinity;
      return { value: result.value, expiresAt: Math.min(now() + ttl, expires - REFRESH_BEFORE_EXPIRY_MS) };
    }
    if (config.managedIdentity) {
      const token = await identity(config.managedIdentity.clientId).getToken(config.managedIdentity.scope);
      if (!token) throw credentialUnavailable(connection, 'no token was issued');
      return { value: token.token, expiresAt: token.expiresOnTimestamp - REFRESH_BEFORE_EXPIRY_MS };
    }
    // Environment credentials are for local development only; the policy loader refuses them otherwise.
    if (options.env !== 'development') throw credentialUnavailable(connection, 'environment credentials are refused outside development');
    const value = options.variables[config.env!];
    if (!value) throw credentialUnavailable(connection, `environment variable ${config.env} is not set`);
    return { value, expiresAt: Infinity };
  }

  return {
    async resolve(connection, config) {
      const key = JSON.stringify([config.keyVault, config.managedIdentity?.scope, config.managedIdentity?.clientId, config.env]);
      const hit = cache.get(key);
      if (hit && hit.expiresAt > now()) return hit.value;
      let inFlight = pending.get(key);
      if (!inFlight) {
        inFlight = fetchValue(connection, config).finally(() => pending.delete(key));
        pending.set(key, inFlight);
      }
      try {
        const fresh = await inFlight;
        cache.set(key, fresh);
        return fresh.value;
      } catch (error) {
        if (error instanceof Refusal) throw error;
        throw credentialUnavailable(connection, error instanceof Error ? error.name : 'unknown error');
      }
    },
  };
}
