// One issuer's signing keys: loaded on first use, reloaded when older than the cache age, and
// reloaded when a token names an unknown key — at most once per `minRefetchMs`, so a flood of
// tokens with made-up key ids cannot turn into a flood of requests to the issuer.
import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';

/** The keys could not be loaded: the gateway cannot judge the token, which is not the token's fault. */
export class KeysUnavailable extends Error {
  override readonly name = 'KeysUnavailable';
}

/** Returns the parsed JWKS document; throws when it cannot be had. */
export type LoadJwks = () => Promise<unknown>;

export interface KeySetTiming {
  now: () => number;
  minRefetchMs: number;
  maxAgeMs: number;
}

type Resolver = ReturnType<typeof createLocalJWKSet>;

export class KeySet {
  #resolver: Resolver | undefined;
  #loadedAt = -Infinity;
  #attemptedAt = -Infinity;
  #loading: Promise<void> | undefined;

  constructor(
    private readonly load: LoadJwks,
    private readonly timing: KeySetTiming,
  ) {}

  /** The key that verifies a token with this header (jose's key-resolver signature). */
  async keyFor(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    const resolver = await this.#current();
    try {
      return await resolver(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !(await this.#refetchAllowed())) throw error;
      return (await this.#current())(header, token);
    }
  }

  async #current(): Promise<Resolver> {
    const age = this.timing.now() - this.#loadedAt;
    if (this.#resolver && age < this.timing.maxAgeMs) return this.#resolver;
    // Stale or never loaded. A load that failed moments ago is not retried before the interval.
    if (!this.#loading && !this.#mayAttempt()) throw new KeysUnavailable('signing keys unavailable (last load failed)');
    await this.#reload();
    return this.#resolver!;
  }

  /** For an unknown key: wait for a load in progress, or start one if the rate limit allows. */
  async #refetchAllowed(): Promise<boolean> {
    if (!this.#loading && !this.#mayAttempt()) return false;
    await this.#reload();
    return true;
  }

  #mayAttempt(): boolean {
    return this.timing.now() - this.#attemptedAt >= this.timing.minRefetchMs;
  }

  /** Concurrent callers share one load. */
  #reload(): Promise<void> {
    if (!this.#loading) {
      const startedAt = (this.#attemptedAt = this.timing.now());
      this.#loading = this.#fetch(startedAt).finally(() => {
        this.#loading = undefined;
      });
    }
    return this.#loading;
  }

  async #fetch(startedAt: number): Promise<void> {
    try {
      this.#resolver = createLocalJWKSet((await this.load()) as JSONWebKeySet);
      this.#loadedAt = startedAt;
    } catch (cause) {
      throw new KeysUnavailable('signing keys unavailable', { cause });
    }
  }
}
