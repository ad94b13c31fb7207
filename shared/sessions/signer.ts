// Which key signs export manifests and daily ledgers, from PORTCULLIS_SIGNING_KEY_ID: a Key Vault
// key URL (Azure: the vault signs, the key never leaves it) or a local PEM file (development: an EC
// P-256 key created on first use). Nothing configured is an error, never an unsigned export.
import type { TokenCredential } from '@azure/identity';
import { fileSigner } from './file-signer.js';
import type { Signer } from './signature.js';
import { keyVaultSigner } from './key-vault-signer.js';

export const isKeyVaultKeyUrl = (value: string): boolean => /^https:\/\/[^/]+\/keys\/[^/]+(\/[^/]*)?$/.test(value);

export async function createSigner(keyId: string | undefined, credential: TokenCredential): Promise<Signer> {
  if (!keyId) throw new Error('PORTCULLIS_SIGNING_KEY_ID is not set: exports and ledgers cannot be signed');
  return isKeyVaultKeyUrl(keyId) ? keyVaultSigner(keyId, credential) : fileSigner(keyId, { create: true });
}
