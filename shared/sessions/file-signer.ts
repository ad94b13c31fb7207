// The development signer: an EC P-256 key in a PEM file (the dev stack keeps it in its state
// folder, `.portcullis/signing-key.pem`), created on first use. In Azure the key is in Key Vault
// instead (shared/platform/key-vault-signer.ts) and never leaves it.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { algorithmOf, thumbprintOf, type Signer, type TrustedKey } from './signature.js';

export const DEV_SIGNING_KEY_FILE = 'signing-key.pem';

/** A signer over the private key in `path`; with `create`, a new P-256 key is written there when none exists. */
export async function fileSigner(path: string, options: { create?: boolean } = {}): Promise<Signer> {
  const privateKey = await loadPrivateKey(path, options.create ?? false);
  const publicKey = createPublicKey(privateKey);
  const alg = algorithmOf(publicKey);
  const thumbprint = thumbprintOf(publicKey);
  return {
    alg,
    keyId: `local:${thumbprint}`,
    thumbprint,
    sign: async (data) => sign('sha256', data, alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey),
  };
}

/** The public half of the key in `path`, or undefined when there is no such file. */
export async function filePublicKey(path: string): Promise<TrustedKey | undefined> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const key = createPublicKey(createPrivateKey(text));
  return { key, thumbprint: thumbprintOf(key) };
}

async function loadPrivateKey(path: string, create: boolean): Promise<KeyObject> {
  try {
    return createPrivateKey(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw new Error(`cannot read the signing key ${path}: ${(error as Error).message}`);
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return createPrivateKey(await readFile(path, 'utf8'));
  }
}
