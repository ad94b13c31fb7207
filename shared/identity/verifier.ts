// Verifies a bearer token against the trusted issuers and returns its Principal, or throws a Refusal.
import { decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { Refusal } from '../platform/problem.js';
import { hasInvisibleCharacters } from '../platform/terminal-text.js';
import { bearerToken } from './bearer.js';
import { jwksSource } from './jwks-source.js';
import { KeySet, KeysUnavailable } from './key-set.js';
import { toPrincipal, type Principal } from './principal.js';
import { identityUnavailable, invalidToken } from './refusals.js';
import { issuerSchema, type IssuerConfig } from './schema.js';

const MAX_CLOCK_TOLERANCE_SECONDS = 60;

export interface VerifierOptions {
  /** Allowed clock skew for `exp` and `nbf`; default 60, capped at 60. */
  clockToleranceSeconds?: number;
  fetch?: typeof fetch;
  /** Current time in milliseconds (tests). */
  now?: () => number;
  /** Least time between two loads of one issuer's keys; default 30 s. */
  jwksMinRefetchMs?: number;
  /** Keys older than this are reloaded before use; default 10 min. */
  jwksCacheMaxAgeMs?: number;
  readFile?: (path: string) => Promise<string>;
  /**
   * How long a verified token's principal is reused without checking the signature again (never
   * past the token's own expiry); default 60 s, 0 turns it off. Agents send the same token on
   * every request, and a signature check is most of identify's cost.
   */
  verifiedCacheMs?: number;
}

const VERIFIED_CACHE_ENTRIES = 10_000;

export interface Verifier {
  verify(authorization: string | null | undefined): Promise<Principal>;
}

interface TrustedIssuer {
  config: IssuerConfig;
  keys: KeySet;
}

export function createVerifier(issuers: IssuerConfig[], options: VerifierOptions = {}): Verifier {
  const now = options.now ?? Date.now;
  const clockTolerance = Math.min(
    MAX_CLOCK_TOLERANCE_SECONDS,
    nonNegative('clockToleranceSeconds', options.clockToleranceSeconds ?? MAX_CLOCK_TOLERANCE_SECONDS),
  );
  const minRefetchMs = nonNegative('jwksMinRefetchMs', options.jwksMinRefetchMs ?? 30_000);
  const maxAgeMs = nonNegative('jwksCacheMaxAgeMs', options.jwksCacheMaxAgeMs ?? 600_000);
  // Stale keys are reloaded under the same rate limit, so a shorter cache age could never be honoured.
  if (maxAgeMs < minRefetchMs) throw new RangeError('jwksCacheMaxAgeMs must not be shorter than jwksMinRefetchMs');

  const cacheMs = nonNegative('verifiedCacheMs', options.verifiedCacheMs ?? 60_000);
  const verified = new Map<string, { principal: Principal; until: number }>();

  const trusted = new Map<string, TrustedIssuer>();
  for (const entry of issuers) {
    // Parsed again so that a config built in code gets the same guarantees (no HS*, one key source).
    const config = issuerSchema.parse(entry);
    if (trusted.has(config.issuer)) throw new Error(`issuer ${config.issuer} is listed more than once`);
    trusted.set(config.issuer, { config, keys: new KeySet(jwksSource(config, options), { now, minRefetchMs, maxAgeMs }) });
  }

  return {
    async verify(authorization) {
      const token = bearerToken(authorization);
      const hit = verified.get(token);
      if (hit && hit.until > now()) return hit.principal;
      // Chosen by the unverified `iss`; only that issuer's keys can then verify the token.
      const issuer = trusted.get(unverifiedIssuer(token));
      if (!issuer) throw invalidToken('issuer not trusted');
      const { config, keys } = issuer;
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, (header, jws) => keys.keyFor(header, jws), {
          algorithms: config.algorithms,
          issuer: config.issuer,
          audience: config.audience,
          clockTolerance,
          requiredClaims: ['exp', config.subjectClaim],
          currentDate: new Date(now()),
        }));
      } catch (error) {
        throw refusalFor(error, Math.ceil(minRefetchMs / 1000));
      }
      const principal = toPrincipal(claims, config);
      if (cacheMs > 0) {
        if (verified.size >= VERIFIED_CACHE_ENTRIES) verified.delete(verified.keys().next().value!);
        verified.set(token, { principal, until: Math.min(now() + cacheMs, (claims.exp! + clockTolerance) * 1000) });
      }
      return principal;
    },
  };
}

function unverifiedIssuer(token: string): string {
  let iss: unknown;
  try {
    ({ iss } = decodeJwt(token));
  } catch {
    throw invalidToken('malformed token');
  }
  if (typeof iss !== 'string') throw invalidToken('token has no iss claim');
  if (hasInvisibleCharacters(iss)) throw invalidToken('iss claim contains control or invisible characters');
  return iss;
}

/** Says what is wrong with the token without repeating any of it. Errors that are not jose's propagate. */
function refusalFor(error: unknown, retryAfterSeconds: number): Refusal {
  if (error instanceof KeysUnavailable) return identityUnavailable(retryAfterSeconds);
  if (error instanceof errors.JWTExpired) return invalidToken('token expired');
  if (error instanceof errors.JWTClaimValidationFailed) return invalidToken(claimProblem(error));
  if (error instanceof errors.JOSEAlgNotAllowed) return invalidToken('algorithm not allowed');
  if (error instanceof errors.JWKSNoMatchingKey) return invalidToken('unknown signing key');
  // Trying every key would multiply signature checks for unlabelled tokens; real issuers set `kid`.
  if (error instanceof errors.JWKSMultipleMatchingKeys) return invalidToken('token names no key id and the issuer has several keys');
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalidToken('invalid signature');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return invalidToken('malformed token');
  if (error instanceof errors.JOSEError) return invalidToken('token could not be verified');
  throw error;
}

function claimProblem(error: InstanceType<typeof errors.JWTClaimValidationFailed>): string {
  if (error.claim === 'nbf' && error.reason === 'check_failed') return 'token not yet valid';
  if (error.claim === 'aud' && error.reason === 'check_failed') return 'audience not accepted';
  if (error.reason === 'missing') return `token has no ${error.claim} claim`;
  return `${error.claim} claim is invalid`;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
}
