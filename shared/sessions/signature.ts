// Signatures over audit documents (an export's manifest, a day's ledger seal). The signed bytes are
// the canonical JSON of the document with its signature's `value` left out, so every field, and the
// name of the key, is covered. ES256 (P-256, IEEE P1363 r||s) or RS256, over the SHA-256 digest:
// the digest is what Key Vault signs, so the private key never leaves the vault.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';

export const signatureSchema = z.strictObject({
  alg: z.enum(['ES256', 'RS256']),
  /** The key that signed: a Key Vault key URL with its version, or `local:` and the thumbprint. */
  keyId: z.string().min(1).max(500),
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  thumbprint: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  value: z.string().regex(/^[A-Za-z0-9_-]+$/),
});

export type Signature = z.infer<typeof signatureSchema>;
export type SignatureAlgorithm = Signature['alg'];

/** Signs with a key it does not have to hand out: a Key Vault key, or a local dev key file. */
export interface Signer {
  readonly alg: SignatureAlgorithm;
  readonly keyId: string;
  readonly thumbprint: string;
  /** Signs `data` (over its SHA-256 digest); ES256 answers r||s (64 bytes). */
  sign(data: Buffer): Promise<Buffer>;
}

/** A public key a verifier trusts, with the thumbprint signatures name it by. */
export interface TrustedKey {
  key: KeyObject;
  thumbprint: string;
}

const signedBytes = (document: object, header: Omit<Signature, 'value'>) => Buffer.from(canonicalJson({ ...document, signature: header }));

/** The document with a `signature` member over every other member. */
export async function sign<T extends object>(document: T, signer: Signer): Promise<T & { signature: Signature }> {
  const header = { alg: signer.alg, keyId: signer.keyId, thumbprint: signer.thumbprint };
  const value = (await signer.sign(signedBytes(document, header))).toString('base64url');
  return { ...document, signature: { ...header, value } };
}

/** The signature's key id when a trusted key made it over exactly this document, else what is wrong. */
export function checkSignature(document: { signature?: Signature }, trusted: TrustedKey[]): { keyId: string } | { problem: string } {
  const { signature, ...rest } = document;
  if (!signature) return { problem: 'is not signed' };
  const { value, ...header } = signature;
  const key = trusted.find((candidate) => candidate.thumbprint === signature.thumbprint);
  if (!key) return { problem: `is signed by ${signature.keyId}, a key not trusted here (thumbprint ${signature.thumbprint}; give its public key with --public-key)` };
  const ok = verify(
    'sha256',
    signedBytes(rest, header),
    signature.alg === 'ES256' ? { key: key.key, dsaEncoding: 'ieee-p1363' } : key.key,
    Buffer.from(value, 'base64url'),
  );
  return ok ? { keyId: signature.keyId } : { problem: `has a signature by ${signature.keyId} that does not match its content` };
}

/** RFC 7638 thumbprint of a public EC or RSA key. */
export function thumbprintOf(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The algorithm a public key signs with here: ES256 for P-256, RS256 for RSA; anything else is refused. */
export function algorithmOf(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256';
  throw new Error('a signing key must be EC P-256 or RSA of at least 2048 bits');
}

/**
 * Public keys from the text of a file: PEM (SPKI, or a certificate or private key, of which only
 * the public part is used), a JWK, or a JWK Set `{ "keys": [...] }` (a trust file).
 */
export function trustedKeysFrom(text: string, source: string): TrustedKey[] {
  const trimmed = text.trim();
  let keys: KeyObject[];
  try {
    if (trimmed.startsWith('{')) {
      const json = JSON.parse(trimmed) as { keys?: unknown };
      const jwks = Array.isArray(json.keys) ? json.keys : [json];
      keys = jwks.map((jwk) => {
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk as Record<string, unknown>;
        return createPublicKey({ key: publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
      });
    } else {
      keys = [createPublicKey(trimmed)];
    }
  } catch (error) {
    throw new Error(`${source} is not a PEM public key, a JWK or a JWK Set (${(error as Error).message})`);
  }
  for (const key of keys) algorithmOf(key);
  return keys.map((key) => ({ key, thumbprint: thumbprintOf(key) }));
}
