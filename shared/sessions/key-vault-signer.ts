// The signer in Azure: a Key Vault key, used through the app's managed identity. The app may read
// the key's public half and ask the vault to sign a digest; the private key never leaves the vault.
import { createHash, createPublicKey, type JsonWebKey as NodeJwk } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, parseKeyVaultKeyIdentifier, type CryptographyClientOptions } from '@azure/keyvault-keys';
import { algorithmOf, thumbprintOf, type Signer } from './signature.js';

/** `keyUrl` is `https://VAULT.vault.azure.net/keys/NAME[/VERSION]`; without a version, the current one signs. */
export async function keyVaultSigner(keyUrl: string, credential: TokenCredential, options: CryptographyClientOptions = {}): Promise<Signer> {
  const { vaultUrl, name, version } = parseKeyVaultKeyIdentifier(keyUrl);
  const key = await new KeyClient(vaultUrl, credential, options).getKey(name, version ? { version } : {});
  const jwk = key.key;
  if (!jwk?.kty || !key.id) throw new Error(`Key Vault key ${keyUrl} has no public key`);
  const publicKey = createPublicKey({ key: publicJwk(jwk), format: 'jwk' });
  const alg = algorithmOf(publicKey);
  // The versioned id: a later rotation of the key does not change which key this signature names.
  const crypto = new CryptographyClient(key, credential, options);
  return {
    alg,
    keyId: key.id,
    thumbprint: thumbprintOf(publicKey),
    async sign(data) {
      const result = await crypto.sign(alg, createHash('sha256').update(data).digest());
      return Buffer.from(result.result);
    },
  };
}

function publicJwk(jwk: { kty?: string; crv?: string; x?: Uint8Array; y?: Uint8Array; n?: Uint8Array; e?: Uint8Array }): NodeJwk {
  const b64 = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('base64url') : undefined);
  return jwk.kty?.startsWith('EC')
    ? { kty: 'EC', crv: jwk.crv, x: b64(jwk.x), y: b64(jwk.y) }
    : { kty: 'RSA', n: b64(jwk.n), e: b64(jwk.e) };
}
