// The development OIDC issuer: an ES256 key pair kept in the state folder (.portcullis/, git-
// ignored), whose JWKS the local host serves and whose tokens the example policy trusts.
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineHttp, type HttpFunction } from '../../shared/platform/triggers.js';
import { CommandFailure, UsageError, writeOutputFile } from '../io.js';

export const DEV_AUDIENCE = 'portcullis';
export const DEV_ISSUER_ROUTE = 'dev/issuer';

export const devIssuerUrl = (gatewayUrl: string) => `${gatewayUrl}/api/${DEV_ISSUER_ROUTE}`;

export interface DevIssuer {
  jwks: { keys: JWK[] };
  sign(options: { issuer: string; subject: string; groups: string[]; ttlSeconds: number; audience?: string; claims?: Record<string, unknown> }): Promise<string>;
}

/**
 * Loads the issuer's key from `stateDir`. Only the stack creates it (`create`, on first run): a
 * key made anywhere else signs tokens that no running stack trusts.
 */
export async function loadDevIssuer(stateDir: string, options: { create: boolean }): Promise<DevIssuer> {
  const path = join(stateDir, 'issuer-key.json');
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CommandFailure(`cannot read the dev issuer key ${path}: ${(error as Error).message}`);
    if (!options.create) throw new UsageError(`no dev issuer key in ${stateDir}: is it the --state DIR of portcullis dev?`);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
    await mkdir(stateDir, { recursive: true });
    await writeFile(path, JSON.stringify(privateJwk, null, 2) + '\n', { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      // Another process created it first: use theirs.
      if (e.code !== 'EEXIST') throw e;
      privateJwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
    });
  }
  const { d: _private, ...publicJwk } = privateJwk;
  const key = await importJWK(privateJwk, 'ES256');
  return {
    jwks: { keys: [publicJwk] },
    async sign({ issuer, subject, groups, ttlSeconds, audience = DEV_AUDIENCE, claims = {} }) {
      return new SignJWT({ ...claims, groups })
        .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid!, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(audience)
        .setIssuedAt()
        .setNotBefore('0s')
        .setJti(randomUUID())
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
    },
  };
}

/** Dev-only routes the local host serves beside the app's functions: the issuer's metadata and JWKS. */
export function devIssuerFunctions(issuer: DevIssuer, issuerUrl: () => string): HttpFunction[] {
  return [
    defineHttp({
      name: 'dev-issuer-jwks',
      route: `${DEV_ISSUER_ROUTE}/jwks.json`,
      methods: ['GET'],
      handler: async () => ({ status: 200, jsonBody: issuer.jwks }),
    }),
    defineHttp({
      name: 'dev-issuer-metadata',
      route: `${DEV_ISSUER_ROUTE}/.well-known/openid-configuration`,
      methods: ['GET'],
      handler: async () => ({
        status: 200,
        jsonBody: { issuer: issuerUrl(), jwks_uri: `${issuerUrl()}/jwks.json`, id_token_signing_alg_values_supported: ['ES256'] },
      }),
    }),
  ];
}

export interface DevState {
  issuer: string;
  audience: string;
  gatewayUrl: string;
  /** The stack's storage (Azurite), for the auditor commands run beside it. */
  storage?: { connectionString: string; blobEndpoint: string; tableEndpoint: string };
}

/** What `portcullis token` needs to mint tokens for the running stack. */
export async function writeDevState(stateDir: string, state: DevState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  // Whole or not at all: `portcullis token` and the auditor commands read it while dev runs.
  await writeOutputFile(join(stateDir, 'dev.json'), JSON.stringify(state, null, 2) + '\n');
}

export async function readDevState(stateDir: string): Promise<DevState | undefined> {
  const path = join(stateDir, 'dev.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    // ENOTDIR: the folder named is a file, which holds no state either.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as DevState;
  } catch {
    throw new CommandFailure(`${path} is not valid JSON; delete it and restart portcullis dev`);
  }
}
