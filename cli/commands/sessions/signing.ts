// Which keys the session commands sign and verify with. Export signs with --signing-key, else
// PORTCULLIS_SIGNING_KEY_ID, else the dev key in the state folder (.portcullis/signing-key.pem,
// created on first use). Verify trusts each --public-key FILE (PEM, JWK or JWK Set), else only the
// dev key of the state folder.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { appCredential } from '../../../shared/platform/azure.js';
import { createSigner } from '../../../shared/sessions/signer.js';
import { DEV_SIGNING_KEY_FILE, filePublicKey, trustedKeysFrom, type Signer, type TrustedKey } from '../../../shared/sessions/index.js';
import { UsageError, type CliIo } from '../../io.js';

export const DEFAULT_STATE_DIR = '.portcullis';

export const devKeyPath = (io: CliIo, state: string | undefined) => resolve(io.cwd, state ?? DEFAULT_STATE_DIR, DEV_SIGNING_KEY_FILE);

export function exportSigner(io: CliIo, values: { 'signing-key'?: string; state?: string }): Promise<Signer> {
  const chosen = values['signing-key'] ?? io.env.PORTCULLIS_SIGNING_KEY_ID ?? devKeyPath(io, values.state);
  const keyId = /^https:/.test(chosen) ? chosen : resolve(io.cwd, chosen);
  return createSigner(keyId, appCredential(undefined));
}

export async function trustedKeys(io: CliIo, values: { 'public-key'?: string[]; state?: string }): Promise<TrustedKey[]> {
  const files = values['public-key'] ?? [];
  if (files.length === 0) {
    const dev = await filePublicKey(devKeyPath(io, values.state));
    if (!dev) throw new UsageError(`give the signing key's public key with --public-key FILE (no dev key in ${join(values.state ?? DEFAULT_STATE_DIR, DEV_SIGNING_KEY_FILE)})`);
    return [dev];
  }
  const keys: TrustedKey[] = [];
  for (const file of files) {
    const text = await readFile(resolve(io.cwd, file), 'utf8').catch(() => {
      throw new UsageError(`cannot read the public key ${file}`);
    });
    try {
      keys.push(...trustedKeysFrom(text, file));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return keys;
}
