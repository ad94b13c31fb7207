import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { Refusal } from '../platform/problem.js';
import { createVerifier, issuerSchema, type IssuerConfig, type VerifierOptions } from './index.js';

const ISSUER_A = 'https://issuer-a.example';
const ISSUER_B = 'https://issuer-b.example';
const AUDIENCE = 'api://portcullis';
const T0 = Date.UTC(2025, 0, 1, 12); // the tests' clock starts here (ms)
const NOW_S = T0 / 1000;
const MIN_REFETCH_MS = 30_000;

interface TestKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

async function makeKey(kid: string, alg: TestKey['alg']): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, publicPem: await exportSPKI(publicKey) };
}

let keyA: TestKey; // issuer A's key
let keyA2: TestKey; // issuer A's next key, for rotation
let keyEc: TestKey; // issuer A's ES256 key
let keyB: TestKey; // issuer B's key
let stranger: TestKey; // published by nobody

before(async () => {
  [keyA, keyA2, keyEc, keyB, stranger] = await Promise.all([
    makeKey('a-1', 'RS256'),
    makeKey('a-2', 'RS256'),
    makeKey('a-ec', 'ES256'),
    makeKey('b-1', 'RS256'),
    makeKey('stranger', 'RS256'),
  ]);
});

/** A JWKS endpoint on a real socket that counts the requests it answers. */
interface JwksServer {
  uri: string;
  requests: number;
  keys: JWK[];
  status: number;
}

async function serveJwks(t: TestContext, ...keys: TestKey[]): Promise<JwksServer> {
  const state = { requests: 0, keys: keys.map((key) => key.publicJwk), status: 200 };
  const server = createServer((_request, response) => {
    state.requests += 1;
    response.writeHead(state.status, { 'content-type': 'application/json' });
    response.end(state.status === 200 ? JSON.stringify({ keys: state.keys }) : '{"error":"unavailable"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return Object.assign(state, { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks` });
}

function setup(entries: Partial<IssuerConfig>[], options: VerifierOptions = {}) {
  const clock = { ms: T0 };
  const issuers = entries.map((entry) => issuerSchema.parse({ issuer: ISSUER_A, audience: AUDIENCE, ...entry }));
  return { clock, verifier: createVerifier(issuers, { now: () => clock.ms, ...options }) };
}

function mint(key: TestKey, claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ iss: ISSUER_A, aud: AUDIENCE, sub: 'agent-7', iat: NOW_S, exp: NOW_S + 300, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

const bearer = (token: string) => `Bearer ${token}`;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refused(verdict: Promise<unknown>, detail: string, token?: string): Promise<Refusal> {
  let refusal: Refusal | undefined;
  await assert.rejects(verdict, (error: unknown) => {
    assert.ok(error instanceof Refusal, `expected a Refusal, got ${String(error)}`);
    refusal = error;
    return true;
  });
  assert.equal(refusal!.status, 401);
  assert.equal(refusal!.type, 'unauthorized');
  assert.equal(refusal!.title, 'Unauthorized');
  assert.equal(refusal!.detail, detail);
  assert.equal(
    refusal!.headers['www-authenticate'],
    `Bearer realm="portcullis", error="invalid_token", error_description="${detail}"`,
  );
  if (token) {
    const said = JSON.stringify({ message: refusal!.message, detail: refusal!.detail, headers: refusal!.headers });
    for (const part of token.split('.').filter((segment) => segment.length > 8)) assert.ok(!said.includes(part), 'the refusal repeats the token');
  }
  return refusal!;
}

async function unavailable(verdict: Promise<unknown>): Promise<void> {
  await assert.rejects(verdict, (error: unknown) => {
    assert.ok(error instanceof Refusal, `expected a Refusal, got ${String(error)}`);
    assert.equal(error.status, 503);
    assert.equal(error.type, 'identity-unavailable');
    assert.equal(error.headers['retry-after'], '30');
    return true;
  });
}

describe('refusals', () => {
  test('refuses a request without a token with a bare Bearer challenge', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    for (const header of [undefined, null, '']) {
      await assert.rejects(verifier.verify(header), (error: unknown) => {
        assert.ok(error instanceof Refusal);
        assert.equal(error.status, 401);
        assert.equal(error.type, 'unauthorized');
        assert.equal(error.detail, 'no bearer token');
        assert.equal(error.headers['www-authenticate'], 'Bearer realm="portcullis"');
        return true;
      });
    }
  });

  test('refuses a malformed token', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    for (const token of ['not-a-jwt', 'a.b.c', `${b64url({ alg: 'RS256' })}.bm90IGpzb24.sig`, 'Zm9v.YmFy']) {
      await refused(verifier.verify(bearer(token)), 'malformed token');
    }
    assert.equal(jwks.requests, 0);
  });

  test('refuses an unsigned token (alg: none)', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = new UnsecuredJWT({ iss: ISSUER_A, aud: AUDIENCE, sub: 'agent-7', exp: NOW_S + 300 }).encode();
    await refused(verifier.verify(bearer(token)), 'algorithm not allowed', token);
    assert.equal(jwks.requests, 0, 'an unacceptable algorithm is refused before any key is fetched');
  });

  test("refuses a token signed with HS256 using the issuer's public key", async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri, algorithms: ['RS256'] }]);
    for (const secret of [keyA.publicPem, JSON.stringify(keyA.publicJwk)]) {
      const token = await new SignJWT({ iss: ISSUER_A, aud: AUDIENCE, sub: 'agent-7', exp: NOW_S + 300 })
        .setProtectedHeader({ alg: 'HS256', kid: keyA.kid })
        .sign(new TextEncoder().encode(secret));
      await refused(verifier.verify(bearer(token)), 'algorithm not allowed', token);
    }
  });

  test('refuses an algorithm outside the issuer allow-list', async (t) => {
    const jwks = await serveJwks(t, keyA, keyEc);
    const { verifier } = setup([{ jwksUri: jwks.uri, algorithms: ['RS256'] }]);
    const token = await mint(keyEc);
    await refused(verifier.verify(bearer(token)), 'algorithm not allowed', token);
  });

  test('refuses an expired token', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(keyA, { iat: NOW_S - 3600, exp: NOW_S - 120 });
    await refused(verifier.verify(bearer(token)), 'token expired', token);
  });

  test('refuses a token that is not yet valid', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(keyA, { nbf: NOW_S + 120 });
    await refused(verifier.verify(bearer(token)), 'token not yet valid', token);
  });

  test('refuses a token for another audience', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    for (const aud of ['api://someone-else', ['api://someone-else', 'api://another']]) {
      const token = await mint(keyA, { aud });
      await refused(verifier.verify(bearer(token)), 'audience not accepted', token);
    }
  });

  test('refuses a token from an unknown issuer without fetching any keys', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(keyA, { iss: 'https://evil.example' });
    await refused(verifier.verify(bearer(token)), 'issuer not trusted', token);
    const withoutIss = await mint(keyA, { iss: undefined });
    await refused(verifier.verify(bearer(withoutIss)), 'token has no iss claim', withoutIss);
    assert.equal(jwks.requests, 0);
  });

  test('refuses a token signed with an unknown kid', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(stranger);
    await refused(verifier.verify(bearer(token)), 'unknown signing key', token);
  });

  test('refuses a token whose payload was tampered with', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const [header, , signature] = (await mint(keyA)).split('.');
    const forged = b64url({ iss: ISSUER_A, aud: AUDIENCE, sub: 'admin', groups: ['owners'], iat: NOW_S, exp: NOW_S + 300 });
    const token = `${header}.${forged}.${signature}`;
    await refused(verifier.verify(bearer(token)), 'invalid signature', token);
  });

  test("refuses a token from a second issuer signed with the first issuer's key", async (t) => {
    const jwksA = await serveJwks(t, keyA);
    const jwksB = await serveJwks(t, keyB);
    const { verifier } = setup([{ jwksUri: jwksA.uri }, { issuer: ISSUER_B, jwksUri: jwksB.uri }]);
    // Naming issuer A's key: issuer B's key set does not have it.
    const namingA = await mint(keyA, { iss: ISSUER_B });
    await refused(verifier.verify(bearer(namingA)), 'unknown signing key', namingA);
    // Naming issuer B's key but signed with A's: the signature does not verify.
    const namingB = await mint(keyA, { iss: ISSUER_B }, { kid: keyB.kid });
    await refused(verifier.verify(bearer(namingB)), 'invalid signature', namingB);
    assert.equal(jwksA.requests, 0, "issuer A's keys are never consulted for issuer B's tokens");
    assert.ok((await verifier.verify(bearer(await mint(keyB, { iss: ISSUER_B })))).issuer === ISSUER_B);
  });

  test('refuses a token without exp', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(keyA, { exp: undefined });
    await refused(verifier.verify(bearer(token)), 'token has no exp claim', token);
  });

  test('refuses a token without the subject claim', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(keyA, { sub: undefined });
    await refused(verifier.verify(bearer(token)), 'token has no sub claim', token);
  });

  test('refuses a subject with control, bidi or zero-width characters', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    for (const sub of ['agent\x1b[2J', 'agent\nchain verifies', 'agent\x00', 'agent\x7f', 'agent\x9b', 'nimda\u202e', 'agent\u2066', 'alice\u200b', 'agent\u2028']) {
      const token = await mint(keyA, { sub });
      await refused(verifier.verify(bearer(token)), 'sub claim contains control or invisible characters', token);
    }
    const { verifier: custom } = setup([{ jwksUri: jwks.uri, subjectClaim: 'oid' }]);
    const token = await mint(keyA, { oid: 'x\u202ey' });
    await refused(custom.verify(bearer(token)), 'oid claim contains control or invisible characters', token);
    assert.equal((await verifier.verify(bearer(await mint(keyA, { sub: 'repo:acme/app:ref:refs/heads/main Zürich' })))).subject, 'repo:acme/app:ref:refs/heads/main Zürich');
  });

  test('refuses an issuer with control characters before looking for its keys', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(keyA, { iss: `${ISSUER_A}\x1b[2J` });
    await refused(verifier.verify(bearer(token)), 'iss claim contains control or invisible characters', token);
    assert.equal(jwks.requests, 0);
  });

  test('refuses a token without kid when the issuer publishes several matching keys', async (t) => {
    const jwks = await serveJwks(t, keyA, keyA2);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(keyA, {}, { kid: undefined });
    await refused(verifier.verify(bearer(token)), 'token names no key id and the issuer has several keys', token);
  });
});

describe('accepted tokens', () => {
  test('accepts a valid RS256 token', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const principal = await verifier.verify(bearer(await mint(keyA, { groups: ['agents', 'ci'] })));
    assert.equal(principal.subject, 'agent-7');
    assert.equal(principal.issuer, ISSUER_A);
    assert.deepEqual(principal.groups, ['agents', 'ci']);
    assert.equal(principal.kind, 'workload');
    assert.equal(principal.claims.aud, AUDIENCE);
  });

  test('accepts a valid ES256 token', async (t) => {
    const jwks = await serveJwks(t, keyA, keyEc);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    assert.equal((await verifier.verify(bearer(await mint(keyEc)))).subject, 'agent-7');
  });

  test('accepts a token without kid when exactly one key matches', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    assert.equal((await verifier.verify(bearer(await mint(keyA, {}, { kid: undefined })))).subject, 'agent-7');
  });

  test('accepts any audience of a configured list', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri, audience: ['api://other', AUDIENCE] }]);
    assert.equal((await verifier.verify(bearer(await mint(keyA, { aud: ['x', AUDIENCE] })))).subject, 'agent-7');
  });

  test('takes the subject from a configured claim', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri, subjectClaim: 'oid' }]);
    assert.equal((await verifier.verify(bearer(await mint(keyA, { oid: '0000-1111' })))).subject, '0000-1111');
    const token = await mint(keyA);
    await refused(verifier.verify(bearer(token)), 'token has no oid claim', token);
    const numeric = await mint(keyA, { oid: 42 });
    await refused(verifier.verify(bearer(numeric)), 'oid claim is not a non-empty string', numeric);
  });
});

describe('groups', () => {
  test('reads groups from a custom claim (roles)', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri, groupsClaim: 'roles' }]);
    const principal = await verifier.verify(bearer(await mint(keyA, { roles: ['Deployer', 'Reader'], groups: ['ignored'] })));
    assert.deepEqual(principal.groups, ['Deployer', 'Reader']);
  });

  test('reads a single string as one group', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    assert.deepEqual((await verifier.verify(bearer(await mint(keyA, { groups: 'platform-team' })))).groups, ['platform-team']);
  });

  test('no groups claim means no groups', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    assert.deepEqual((await verifier.verify(bearer(await mint(keyA)))).groups, []);
  });

  test('refuses a malformed groups claim rather than guessing', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    for (const groups of [42, ['ok', 7], { admins: true }, ['agents', 'admins\u202e'], 'ops\x1b[2J', ['a\u200bgents']]) {
      const token = await mint(keyA, { groups });
      await refused(verifier.verify(bearer(token)), 'groups claim is malformed', token);
    }
  });

  test('refuses an Entra ID group overage instead of reading it as no groups', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const token = await mint(keyA, { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.example' } } });
    await refused(verifier.verify(bearer(token)), 'groups claim overage: too many groups to embed in the token', token);
  });
});

describe('claims and kind', () => {
  test('keeps GitHub Actions claims on the principal, read-only', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    const github = {
      sub: 'repo:contoso/app:ref:refs/heads/main',
      repository: 'contoso/app',
      ref: 'refs/heads/main',
      job_workflow_ref: 'contoso/app/.github/workflows/deploy.yml@refs/heads/main',
      run_id: '9876543210',
      environment: 'production',
    };
    const principal = await verifier.verify(bearer(await mint(keyA, github)));
    assert.equal(principal.subject, github.sub);
    for (const [name, value] of Object.entries(github)) assert.equal(principal.claims[name], value);
    assert.equal(principal.kind, 'workload');
    assert.throws(() => {
      (principal.claims as Record<string, unknown>).repository = 'contoso/other';
    }, TypeError);
  });

  test('a token with preferred_username, upn or email is a user', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    for (const claims of [{ preferred_username: 'ada@contoso.com' }, { upn: 'ada@contoso.com' }, { email: 'ada@contoso.com' }]) {
      assert.equal((await verifier.verify(bearer(await mint(keyA, claims)))).kind, 'user');
    }
    assert.equal((await verifier.verify(bearer(await mint(keyA, { name: 'Deploy bot', email: '' })))).kind, 'workload');
  });

  test('an explicit kind in the issuer config wins', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri, kind: 'workload' }]);
    assert.equal((await verifier.verify(bearer(await mint(keyA, { preferred_username: 'ada@contoso.com' })))).kind, 'workload');
    const jwksB = await serveJwks(t, keyB);
    const { verifier: users } = setup([{ issuer: ISSUER_B, jwksUri: jwksB.uri, kind: 'user' }]);
    assert.equal((await users.verify(bearer(await mint(keyB, { iss: ISSUER_B })))).kind, 'user');
  });
});

describe('clock skew', () => {
  test('accepts 30 s of skew on exp and nbf', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    await verifier.verify(bearer(await mint(keyA, { exp: NOW_S - 30 })));
    await verifier.verify(bearer(await mint(keyA, { nbf: NOW_S + 30 })));
  });

  test('refuses 120 s of skew on exp and nbf', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    await refused(verifier.verify(bearer(await mint(keyA, { exp: NOW_S - 120 }))), 'token expired');
    await refused(verifier.verify(bearer(await mint(keyA, { nbf: NOW_S + 120 }))), 'token not yet valid');
  });

  test('caps the clock tolerance at 60 s', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }], { clockToleranceSeconds: 3600 });
    await refused(verifier.verify(bearer(await mint(keyA, { exp: NOW_S - 120 }))), 'token expired');
  });

  test('a smaller tolerance is honoured', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }], { clockToleranceSeconds: 0 });
    await refused(verifier.verify(bearer(await mint(keyA, { exp: NOW_S - 30 }))), 'token expired');
  });
});

describe('JWKS cache', () => {
  test('fetches the keys once for many tokens', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier } = setup([{ jwksUri: jwks.uri }]);
    await Promise.all(Array.from({ length: 10 }, async () => verifier.verify(bearer(await mint(keyA)))));
    await verifier.verify(bearer(await mint(keyA)));
    assert.equal(jwks.requests, 1);
  });

  test('rate-limits refetches caused by unknown kids', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier, clock } = setup([{ jwksUri: jwks.uri }]);
    await verifier.verify(bearer(await mint(keyA)));
    assert.equal(jwks.requests, 1);

    const flood = async () => {
      const tokens = await Promise.all(Array.from({ length: 50 }, () => mint(stranger, {}, { kid: crypto.randomUUID() })));
      const verdicts = await Promise.allSettled(tokens.map((token) => verifier.verify(bearer(token))));
      for (const verdict of verdicts) {
        assert.equal(verdict.status, 'rejected');
        assert.equal((verdict.reason as Refusal).detail, 'unknown signing key');
      }
    };
    await flood();
    assert.equal(jwks.requests, 1, 'no refetch within the interval after the first fetch');
    clock.ms += MIN_REFETCH_MS;
    await flood();
    assert.equal(jwks.requests, 2, 'one refetch for the whole flood');
    clock.ms += MIN_REFETCH_MS - 1;
    await flood();
    assert.equal(jwks.requests, 2);
    clock.ms += 1;
    await flood();
    assert.equal(jwks.requests, 3);
  });

  test('picks up a rotated key after a refetch', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier, clock } = setup([{ jwksUri: jwks.uri }]);
    await verifier.verify(bearer(await mint(keyA)));
    jwks.keys = [keyA.publicJwk, keyA2.publicJwk];
    const rotated = bearer(await mint(keyA2));
    await refused(verifier.verify(rotated), 'unknown signing key'); // within the rate limit: not refetched yet
    clock.ms += MIN_REFETCH_MS;
    assert.equal((await verifier.verify(rotated)).subject, 'agent-7');
    assert.equal(jwks.requests, 2);
  });

  test('reloads keys older than the cache age', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier, clock } = setup([{ jwksUri: jwks.uri }], { jwksCacheMaxAgeMs: 600_000 });
    // A new token each time, so the verified-token cache is not what answers.
    let n = 0;
    const token = async () => bearer(await mint(keyA, { exp: NOW_S + 3600, jti: `t-${n++}` }));
    await verifier.verify(await token());
    clock.ms = T0 + 599_999;
    await verifier.verify(await token());
    assert.equal(jwks.requests, 1);
    clock.ms = T0 + 600_000;
    await verifier.verify(await token());
    assert.equal(jwks.requests, 2);
  });

  test('a JWKS endpoint that fails is 503 identity-unavailable, retried only after the interval', async (t) => {
    const jwks = await serveJwks(t, keyA);
    jwks.status = 500;
    const { verifier, clock } = setup([{ jwksUri: jwks.uri }]);
    const token = bearer(await mint(keyA));
    await Promise.all(Array.from({ length: 20 }, () => unavailable(verifier.verify(token))));
    await unavailable(verifier.verify(token));
    assert.equal(jwks.requests, 1, 'a failing endpoint is not hammered');
    jwks.status = 200;
    clock.ms += MIN_REFETCH_MS;
    assert.equal((await verifier.verify(token)).subject, 'agent-7');
    assert.equal(jwks.requests, 2);
  });

  test('a JWKS endpoint that cannot be reached is 503 identity-unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { verifier } = setup([{ jwksUri: `http://127.0.0.1:${port}/jwks` }]);
    await unavailable(verifier.verify(bearer(await mint(keyA))));
  });

  test('a JWKS document that is not a key set is 503 identity-unavailable', async () => {
    const fakeFetch = (async () => new Response('<html>login</html>', { status: 200 })) as typeof fetch;
    const { verifier } = setup([{ jwksUri: 'https://issuer-a.example/keys' }], { fetch: fakeFetch });
    await unavailable(verifier.verify(bearer(await mint(keyA))));
  });

  test('keys past their cache age that cannot be reloaded are not used', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier, clock } = setup([{ jwksUri: jwks.uri }]);
    const token = bearer(await mint(keyA, { exp: NOW_S + 3600 }));
    await verifier.verify(token);
    jwks.status = 500;
    clock.ms += 600_000;
    await unavailable(verifier.verify(token));
  });

  test('an unknown kid while the endpoint is down is 503, not a judgement of the token', async (t) => {
    const jwks = await serveJwks(t, keyA);
    const { verifier, clock } = setup([{ jwksUri: jwks.uri }]);
    await verifier.verify(bearer(await mint(keyA)));
    jwks.status = 500;
    clock.ms += MIN_REFETCH_MS;
    await unavailable(verifier.verify(bearer(await mint(keyA2))));
    assert.equal((await verifier.verify(bearer(await mint(keyA)))).subject, 'agent-7', 'cached keys still verify');
  });
});

describe('JWKS file (development issuer)', () => {
  test('reads the file once and again, rate limited, when a kid is unknown', async () => {
    const files = new Map([['dev/jwks.json', JSON.stringify({ keys: [keyA.publicJwk] })]]);
    let reads = 0;
    const readFile = async (path: string) => {
      reads += 1;
      const text = files.get(path);
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    };
    const { verifier, clock } = setup([{ jwksFile: 'dev/jwks.json' }], { readFile });
    await verifier.verify(bearer(await mint(keyA)));
    await verifier.verify(bearer(await mint(keyA)));
    assert.equal(reads, 1);

    files.set('dev/jwks.json', JSON.stringify({ keys: [keyA2.publicJwk] }));
    const rotated = bearer(await mint(keyA2));
    await refused(verifier.verify(rotated), 'unknown signing key');
    assert.equal(reads, 1);
    clock.ms += MIN_REFETCH_MS;
    assert.equal((await verifier.verify(rotated)).subject, 'agent-7');
    assert.equal(reads, 2);
  });

  test('reads the file from disk by default', async (t) => {
    const folder = await mkdtemp(join(tmpdir(), 'portcullis-identity-'));
    t.after(() => rm(folder, { recursive: true, force: true }));
    const path = join(folder, 'jwks.json');
    await writeFile(path, JSON.stringify({ keys: [keyA.publicJwk] }));
    const { verifier } = setup([{ jwksFile: path }]);
    assert.equal((await verifier.verify(bearer(await mint(keyA)))).subject, 'agent-7');
  });

  test('a missing file is 503 identity-unavailable', async () => {
    const { verifier } = setup([{ jwksFile: join(tmpdir(), 'portcullis-no-such-dir', 'jwks.json') }]);
    await unavailable(verifier.verify(bearer(await mint(keyA))));
  });
});

describe('createVerifier', () => {
  const entry = () => issuerSchema.parse({ issuer: ISSUER_A, audience: AUDIENCE, jwksUri: 'https://issuer-a.example/keys' });

  test('rejects an issuer listed twice', () => {
    assert.throws(() => createVerifier([entry(), entry()]), /listed more than once/);
  });

  test('rejects a config built in code that the schema would refuse', () => {
    assert.throws(() => createVerifier([{ ...entry(), algorithms: ['HS256'] } as unknown as IssuerConfig]), /symmetric HS\*/);
  });

  test('rejects a cache age shorter than the refetch interval', () => {
    assert.throws(() => createVerifier([entry()], { jwksMinRefetchMs: 60_000, jwksCacheMaxAgeMs: 30_000 }), RangeError);
  });
});

describe('verifier: verified-token cache', () => {
  test('reuses a verified principal without checking the signature again, and never past the token expiry', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    let clock = 1_700_000_000_000;
    let reads = 0;
    const verifier = createVerifier(
      [{ issuer: 'https://cache.example', audience: 'portcullis', jwksFile: '/jwks.json', algorithms: ['ES256'], groupsClaim: 'groups', subjectClaim: 'sub' }],
      { now: () => clock, clockToleranceSeconds: 0, readFile: async () => (reads++, JSON.stringify({ keys: [jwk] })) },
    );
    const token = await new SignJWT({ groups: ['a'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://cache.example')
      .setAudience('portcullis')
      .setSubject('agent')
      .setIssuedAt(clock / 1000)
      .setExpirationTime(clock / 1000 + 30)
      .sign(privateKey);
    const first = await verifier.verify(`Bearer ${token}`);
    const second = await verifier.verify(`Bearer ${token}`);
    assert.equal(second, first, 'the same principal object: not verified again');
    clock += 31_000;
    await assert.rejects(verifier.verify(`Bearer ${token}`), /token expired/);
    assert.equal(reads, 1);
  });
});
