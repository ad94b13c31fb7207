// Resolves a connection's credential inside the gateway: a Key Vault secret, a managed-identity
// token or an OAuth 2.0 access token fetched with client credentials (each cached until shortly
// before it expires), or, in development only, an environment variable. The value is returned to
// the forwarder and never logged, recorded or echoed; neither is an OAuth client secret.
import { z } from 'zod';
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { Refusal } from '../platform/problem.js';
import type { CredentialConfig, SecretSource } from './credential-schema.js';
import { credentialUnavailable } from './refusals.js';

export interface CredentialResolver {
  /** `renew`: the upstream refused the cached value (401); fetch a new one where that can help (OAuth). */
  resolve(connection: string, config: CredentialConfig, options?: { renew?: boolean }): Promise<string>;
}

/** Whether fetching the credential again can cure a 401: an access token can be renewed, a stored secret stays the same. */
export const renewable = (config: CredentialConfig | undefined): boolean => config?.oauth !== undefined;

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
  /**
   * Longest wait for Key Vault, a managed identity's token or a token endpoint (default 10 s):
   * one that does not answer refuses the request (503) rather than holding it.
   */
  timeoutMs?: number;
}

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const SOURCE_TIMEOUT_MS = 10_000;

/** RFC 6749 §5.1: what a token endpoint answers. Only `access_token` is ever used as a credential. */
const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.coerce.number().positive().optional(),
});

/** The error code of a token endpoint's refusal (§5.2), when it is a plain code: never its free-text description. */
function oauthErrorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: unknown }).error;
    return typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** client_secret_basic encodes id and secret as form values first (RFC 6749 §2.3.1). */
const formEncoded = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

export function createCredentialResolver(options: CredentialResolverOptions): CredentialResolver {
  const now = options.now ?? Date.now;
  const ttl = options.secretTtlMs ?? 5 * 60_000;
  const timeoutMs = options.timeoutMs ?? SOURCE_TIMEOUT_MS;
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

  async function secretValue(connection: string, source: SecretSource): Promise<{ value: string; expiresAt: number }> {
    if (source.keyVault) {
      const { vault, secret } = source.keyVault;
      let client = clients.get(vault);
      if (!client) clients.set(vault, (client = secretClient(vault)));
      const result = await client.getSecret(secret, { abortSignal: AbortSignal.timeout(timeoutMs) });
      if (!result.value) throw credentialUnavailable(connection, `Key Vault secret "${secret}" has no value`);
      const expires = result.properties.expiresOn?.getTime() ?? Infinity;
      return { value: result.value, expiresAt: Math.min(now() + ttl, expires - REFRESH_BEFORE_EXPIRY_MS) };
    }
    // Environment credentials are for local development only; the policy loader refuses them otherwise.
    if (options.env !== 'development') throw credentialUnavailable(connection, 'environment credentials are refused outside development');
    const value = options.variables[source.env!];
    if (!value) throw credentialUnavailable(connection, `environment variable ${source.env} is not set`);
    return { value, expiresAt: Infinity };
  }

  /** RFC 6749 §4.4: the client credentials grant. */
  async function oauthToken(connection: string, oauth: NonNullable<CredentialConfig['oauth']>): Promise<{ value: string; expiresAt: number }> {
    const secret = (await secretValue(connection, oauth.clientSecret)).value;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (oauth.scope) form.set('scope', oauth.scope);
    const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    if (oauth.clientAuth === 'basic') {
      headers.set('authorization', `Basic ${Buffer.from(`${formEncoded(oauth.clientId)}:${formEncoded(secret)}`).toString('base64')}`);
    } else {
      form.set('client_id', oauth.clientId);
      form.set('client_secret', secret);
    }
    let response: Response;
    try {
      response = await fetch(oauth.tokenUrl, { method: 'POST', headers, body: form, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as { code?: unknown } | undefined)?.code ?? error.name) : 'network error';
      throw credentialUnavailable(connection, `the token endpoint could not be reached: ${String(cause)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      const code = oauthErrorCode(text);
      throw credentialUnavailable(connection, `the token endpoint answered ${response.status}${code ? ` ${code}` : ''}`);
    }
    let answer: z.infer<typeof tokenAnswer>;
    try {
      answer = tokenAnswer.parse(JSON.parse(text));
    } catch {
      throw credentialUnavailable(connection, 'the token endpoint\'s answer has no access token');
    }
    // Only a bearer token can be sent as one (a DPoP or MAC token needs proof the gateway does not make).
    if (answer.token_type.toLowerCase() !== 'bearer') throw credentialUnavailable(connection, 'the token endpoint issued a token that is not a bearer token');
    if (answer.expires_in === undefined) return { value: answer.access_token, expiresAt: now() + ttl };
    const lifetime = answer.expires_in * 1000;
    // Renewed five minutes before it expires, or halfway through a shorter life.
    return { value: answer.access_token, expiresAt: now() + lifetime - Math.min(REFRESH_BEFORE_EXPIRY_MS, lifetime / 2) };
  }

  async function fetchValue(connection: string, config: CredentialConfig): Promise<{ value: string; expiresAt: number }> {
    if (config.managedIdentity) {
      const token = await identity(config.managedIdentity.clientId).getToken(config.managedIdentity.scope, { abortSignal: AbortSignal.timeout(timeoutMs) });
      if (!token) throw credentialUnavailable(connection, 'no token was issued');
      return { value: token.token, expiresAt: token.expiresOnTimestamp - REFRESH_BEFORE_EXPIRY_MS };
    }
    if (config.oauth) return oauthToken(connection, config.oauth);
    return secretValue(connection, config);
  }

  return {
    async resolve(connection, config, resolveOptions) {
      const { oauth } = config;
      const key = JSON.stringify([
        config.keyVault,
        config.managedIdentity?.scope,
        config.managedIdentity?.clientId,
        config.env,
        oauth && [oauth.tokenUrl, oauth.clientId, oauth.scope, oauth.clientSecret, oauth.clientAuth],
      ]);
      if (resolveOptions?.renew) cache.delete(key);
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
