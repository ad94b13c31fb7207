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
      // A vault that takes the request and never answers (a partitioned network).
      if (name === 'never-answered') return;
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

  /** A resolver reading this vault with a token it accepts. */
  const vaultResolver = (options: { timeoutMs?: number } = {}) => {
    const credential: TokenCredential = { getToken: async () => ({ token: accessToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    return createCredentialResolver({
      credential,
      env: 'production',
      variables: {},
      ...options,
      secretClient: (url) => new SecretClient(url, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: cert } }),
    });
  };

  it('refuses (503) a secret that does not exist, without forwarding the request', async () => {
    await assert.rejects(vaultResolver().resolve('github', cfg({ keyVault: { vault, secret: 'missing' } })), (e: unknown) => e instanceof Refusal && e.status === 503);
  });

  it('refuses (503) when Key Vault does not answer within its time, rather than holding the request', async () => {
    const resolver = vaultResolver({ timeoutMs: 300 });
    await assert.rejects(resolver.resolve('github', cfg({ keyVault: { vault, secret: 'never-answered' } })), (e: unknown) => e instanceof Refusal && e.status === 503);
  });
});

/** A token endpoint (RFC 6749 client credentials) that records what it was asked and answers as told. */
async function tokenEndpoint(answer: (n: number) => { status: number; body: unknown } = (n) => ({ status: 200, body: { access_token: `at-${n}`, token_type: 'Bearer', expires_in: 3600 } })) {
  const { createServer: createHttpServer } = await import('node:http');
  const asked: Array<{ authorization?: string; form: URLSearchParams }> = [];
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    asked.push({ authorization: req.headers.authorization, form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) });
    const { status, body } = answer(asked.length);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('credentials: OAuth client credentials', () => {
  const clientSecret = `s3cret+${'x'.repeat(8)}:/`;
  const oauth = (tokenUrl: string, extra: Record<string, unknown> = {}) =>
    cfg({ oauth: { tokenUrl, clientId: 'portcullis app', clientSecret: { env: 'MCP_CLIENT_SECRET' }, scope: 'mcp.read mcp.write', clientAuth: 'basic', ...extra } });
  const resolverAt = (clock: { t: number }) =>
    createCredentialResolver({ credential: countingCredential(0, clock).credential, env: 'development', variables: { MCP_CLIENT_SECRET: clientSecret }, now: () => clock.t });

  it('asks with HTTP Basic and the scope, caches the token until shortly before it expires, and renews it when asked', async (t) => {
    const endpoint = await tokenEndpoint();
    t.after(endpoint.close);
    const clock = { t: 1_000_000 };
    const resolver = resolverAt(clock);
    const config = oauth(endpoint.url);
    assert.equal(await resolver.resolve('tools', config), 'at-1');
    assert.equal(await resolver.resolve('tools', config), 'at-1');
    const [first] = endpoint.asked;
    assert.equal(first!.form.get('grant_type'), 'client_credentials');
    assert.equal(first!.form.get('scope'), 'mcp.read mcp.write');
    assert.equal(first!.form.get('client_secret'), null, 'the secret is not in the body');
    const basic = Buffer.from(first!.authorization!.replace(/^Basic /, ''), 'base64').toString('utf8');
    assert.equal(basic, `portcullis+app:${encodeURIComponent(clientSecret).replace(/%20/g, '+')}`, 'id and secret form-encoded first (RFC 6749 2.3.1)');
    clock.t += 54 * 60_000;
    assert.equal(await resolver.resolve('tools', config), 'at-1', 'still well before expiry');
    clock.t += 2 * 60_000;
    assert.equal(await resolver.resolve('tools', config), 'at-2', 'fetched again within five minutes of expiry');
    assert.equal(await resolver.resolve('tools', config, { renew: true }), 'at-3', 'renewed when the upstream refused it');
    assert.equal(endpoint.asked.length, 3);
  });

  it('sends the client in the body when told (client_secret_post), and renews a short-lived token halfway', async (t) => {
    const endpoint = await tokenEndpoint((n) => ({ status: 200, body: { access_token: `at-${n}`, token_type: 'bearer', expires_in: 60 } }));
    t.after(endpoint.close);
    const clock = { t: 0 };
    const resolver = resolverAt(clock);
    const config = oauth(endpoint.url, { clientAuth: 'post', scope: undefined });
    assert.equal(await resolver.resolve('tools', config), 'at-1');
    assert.equal(endpoint.asked[0]!.authorization, undefined);
    assert.equal(endpoint.asked[0]!.form.get('client_id'), 'portcullis app');
    assert.equal(endpoint.asked[0]!.form.get('client_secret'), clientSecret);
    assert.equal(endpoint.asked[0]!.form.has('scope'), false);
    clock.t += 29_000;
    assert.equal(await resolver.resolve('tools', config), 'at-1');
    clock.t += 2_000;
    assert.equal(await resolver.resolve('tools', config), 'at-2');
  });

  it('refuses (503) when the endpoint refuses, naming its error code but never its description or the secret', async (t) => {
    const endpoint = await tokenEndpoint(() => ({ status: 401, body: { error: 'invalid_client', error_description: `bad secret ${clientSecret}` } }));
    t.after(endpoint.close);
    await assert.rejects(resolverAt({ t: 0 }).resolve('tools', oauth(endpoint.url)), (e: unknown) => {
      assert.ok(e instanceof Refusal && e.status === 503 && e.type === 'credential-unavailable');
      assert.match(e.detail, /answered 401 invalid_client/);
      assert.ok(!e.detail.includes('bad secret') && !e.detail.includes(clientSecret));
      return true;
    });
  });

  it('refuses a token that is not a bearer token, an answer without one, and an endpoint that cannot be reached', async (t) => {
    const mac = await tokenEndpoint(() => ({ status: 200, body: { access_token: 'at', token_type: 'DPoP', expires_in: 60 } }));
    t.after(mac.close);
    await assert.rejects(resolverAt({ t: 0 }).resolve('tools', oauth(mac.url)), (e: unknown) => e instanceof Refusal && /not a bearer token/.test(e.detail));
    const empty = await tokenEndpoint(() => ({ status: 200, body: { token_type: 'Bearer' } }));
    t.after(empty.close);
    await assert.rejects(resolverAt({ t: 0 }).resolve('tools', oauth(empty.url)), (e: unknown) => e instanceof Refusal && /no access token/.test(e.detail));
    const gone = await tokenEndpoint();
    await gone.close();
    await assert.rejects(resolverAt({ t: 0 }).resolve('tools', oauth(gone.url)), (e: unknown) => e instanceof Refusal && /could not be reached/.test(e.detail));
  });

  it('reads an environment client secret in development only', async () => {
    const resolver = createCredentialResolver({ credential: countingCredential(0, { t: 0 }).credential, env: 'production', variables: { MCP_CLIENT_SECRET: clientSecret } });
    await assert.rejects(resolver.resolve('tools', oauth('https://login.example/token')), (e: unknown) => e instanceof Refusal && /outside development/.test(e.detail));
  });
});
