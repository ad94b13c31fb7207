import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { selfSignedCertificate } from '../../test/support/tls.js';
import { Refusal } from '../platform/problem.js';
import { createCredentialResolver } from './credentials.js';
import type { CredentialConfig } from './credential-schema.js';

const cfg = (c: Partial<CredentialConfig>): CredentialConfig => ({ header: 'Authorization', format: 'Bearer {value}', ...c }) as CredentialConfig;

/** A token credential that counts its calls and hands out tokens valid for `ttlMs`. */
function countingCredential(ttlMs: number, clock: { t: number }) {
  const calls: string[] = [];
  const credential: TokenCredential = {
    async getToken(scope) {
      calls.push(String(scope));
      return { token: `token-${calls.length}`, expiresOnTimestamp: clock.t + ttlMs } satisfies AccessToken;
    },
  };
  return { credential, calls };
}

describe('credentials: managed identity and environment', () => {
  it('caches a managed-identity token until five minutes before it expires', async () => {
    const clock = { t: 1_000_000 };
    const { credential, calls } = countingCredential(60 * 60_000, clock);
    const resolver = createCredentialResolver({ credential, env: 'production', variables: {}, now: () => clock.t });
    const mi = cfg({ managedIdentity: { scope: 'https://management.azure.com/.default' } });
    assert.equal(await resolver.resolve('arm', mi), 'token-1');
    clock.t += 50 * 60_000;
    assert.equal(await resolver.resolve('arm', mi), 'token-1');
    clock.t += 6 * 60_000;
    assert.equal(await resolver.resolve('arm', mi), 'token-2');
    assert.deepEqual(calls, ['https://management.azure.com/.default', 'https://management.azure.com/.default']);
  });

  it('takes a tier\'s token from the user-assigned identity its clientId names, cached apart', async () => {
    const clock = { t: 0 };
    const app = countingCredential(60 * 60_000, clock);
    const asked: string[] = [];
    const identity = (clientId: string): TokenCredential => ({
      getToken: async () => {
        asked.push(clientId);
        return { token: `token-of-${clientId}`, expiresOnTimestamp: clock.t + 60 * 60_000 };
      },
    });
    const resolver = createCredentialResolver({ credential: app.credential, env: 'production', variables: {}, now: () => clock.t, managedIdentity: identity });
    const scope = 'https://management.azure.com/.default';
    const reader = '11111111-1111-1111-1111-111111111111';
    const writer = '22222222-2222-2222-2222-222222222222';
    assert.equal(await resolver.resolve('arm', cfg({ managedIdentity: { scope, clientId: reader } })), `token-of-${reader}`);
    assert.equal(await resolver.resolve('arm', cfg({ managedIdentity: { scope, clientId: writer } })), `token-of-${writer}`);
    assert.equal(await resolver.resolve('arm', cfg({ managedIdentity: { scope } })), 'token-1');
    assert.equal(await resolver.resolve('arm', cfg({ managedIdentity: { scope, clientId: reader } })), `token-of-${reader}`);
    assert.deepEqual(asked, [reader, writer]);
  });

  it('shares one fetch between concurrent first requests', async () => {
    const clock = { t: 0 };
    const { credential, calls } = countingCredential(60 * 60_000, clock);
    const resolver = createCredentialResolver({ credential, env: 'production', variables: {}, now: () => clock.t });
    const mi = cfg({ managedIdentity: { scope: 's' } });
    await Promise.all(Array.from({ length: 10 }, () => resolver.resolve('c', mi)));
    assert.equal(calls.length, 1);
  });

  it('reads environment credentials in development only', async () => {
    const { credential } = countingCredential(1, { t: 0 });
    const dev = createCredentialResolver({ credential, env: 'development', variables: { TOKEN: 'dev-secret' } });
    assert.equal(await dev.resolve('c', cfg({ env: 'TOKEN' })), 'dev-secret');
    const prod = createCredentialResolver({ credential, env: 'production', variables: { TOKEN: 'dev-secret' } });
    await assert.rejects(prod.resolve('c', cfg({ env: 'TOKEN' })), (e: unknown) => e instanceof Refusal && e.status === 503);
  });

  it('refuses (503) when the identity cannot get a token, without saying more than the error class', async () => {
    const failing: TokenCredential = {
      getToken: async () => {
        throw new Error('AADSTS700016: secret-looking detail');
      },
    };
    const resolver = createCredentialResolver({ credential: failing, env: 'production', variables: {} });
    await assert.rejects(resolver.resolve('c', cfg({ managedIdentity: { scope: 's' } })), (e: unknown) => {
      assert.ok(e instanceof Refusal && e.type === 'credential-unavailable');
      assert.ok(!e.detail.includes('AADSTS'));
      return true;
    });
  });
});

describe('credentials: Key Vault through the real SecretClient', () => {
  const { cert, key } = selfSignedCertificate();
  let server: Server;
  let vault: string;
  let reads = 0;
  let value = 'first-secret-value';
  const accessToken = 'vault-access-token';

  before(async () => {
    // Key Vault's protocol: a challenge without a token, then the secret for a bearer token.
    server = createServer({ cert, key }, (req, res) => {
      if (req.headers.authorization !== `Bearer ${accessToken}`) {
        res.writeHead(401, { 'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/tenant-1", resource="https://vault.azure.net"' });
        return res.end();
      }
      const name = /^\/secrets\/([^/?]+)/.exec(req.url ?? '')?.[1];
      if (name !== 'github-token') {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 'SecretNotFound', message: 'not found' } }));
      }
      reads++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value, id: `${vault}/secrets/${name}/v1`, attributes: { enabled: true, created: 1, updated: 1 } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    vault = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a secret with the app identity, caches it, and reads it again after the TTL', async () => {
    const clock = { t: 0 };
    const scopes: string[] = [];
    const credential: TokenCredential = {
      async getToken(scope) {
        scopes.push(String(scope));
        return { token: accessToken, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const resolver = createCredentialResolver({
      credential,
      env: 'production',
      variables: {},
      secretTtlMs: 60_000,
      now: () => clock.t,
      secretClient: (url) => new SecretClient(url, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: cert } }),
    });
    const kv = cfg({ keyVault: { vault, secret: 'github-token' } });
    assert.equal(await resolver.resolve('github', kv), 'first-secret-value');
    assert.equal(await resolver.resolve('github', kv), 'first-secret-value');
    assert.equal(reads, 1);
    assert.ok(scopes.some((s) => s.startsWith('https://vault.azure.net')));
    value = 'rotated-secret-value';
    clock.t += 61_000;
    assert.equal(await resolver.resolve('github', kv), 'rotated-secret-value');
    assert.equal(reads, 2);
  });

  it('refuses (503) a secret that does not exist, without forwarding the request', async () => {
    const credential: TokenCredential = { getToken: async () => ({ token: accessToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const resolver = createCredentialResolver({
      credential,
      env: 'production',
      variables: {},
      secretClient: (url) => new SecretClient(url, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: cert } }),
    });
    await assert.rejects(resolver.resolve('github', cfg({ keyVault: { vault, secret: 'missing' } })), (e: unknown) => e instanceof Refusal && e.status === 503);
  });
});
