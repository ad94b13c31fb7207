import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TokenCredential } from '@azure/identity';
import { selfSignedCertificate } from '../../test/support/tls.js';
import { checkSignature, sign, thumbprintOf } from './signature.js';
import { keyVaultSigner } from './key-vault-signer.js';

// A stand-in for Key Vault's keys API (get key, sign a digest) on local TLS: the real client talks to it.
describe('keyVaultSigner through the real @azure/keyvault-keys client', () => {
  const { cert, key } = selfSignedCertificate();
  const vaultKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const accessToken = 'vault-access-token';
  const signed: string[] = [];
  let server: Server;
  let vault: string;
  // DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2): RS256 over a digest the vault is given.
  const digestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');

  before(async () => {
    server = createServer({ cert, key }, (req, res) => {
      if (req.headers.authorization !== `Bearer ${accessToken}`) {
        res.writeHead(401, { 'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/tenant-1", resource="https://vault.azure.net"' });
        return res.end();
      }
      const kid = `${vault}/keys/audit-signing/v1`;
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && /^\/keys\/audit-signing\/?(\?|$)/.test(req.url ?? '')) {
          const jwk = vaultKey.publicKey.export({ format: 'jwk' });
          return res.end(JSON.stringify({ key: { kid, kty: 'RSA', n: jwk.n, e: jwk.e, key_ops: ['sign', 'verify'] }, attributes: { enabled: true } }));
        }
        if (req.method === 'POST' && req.url?.startsWith('/keys/audit-signing/v1/sign')) {
          const { alg, value } = JSON.parse(Buffer.concat(body).toString()) as { alg: string; value: string };
          signed.push(alg);
          const signature = privateEncrypt({ key: vaultKey.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([digestInfo, Buffer.from(value, 'base64url')]));
          return res.end(JSON.stringify({ kid, value: signature.toString('base64url') }));
        }
        res.writeHead(404);
        res.end(JSON.stringify({ error: { code: 'KeyNotFound', message: 'not found' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    vault = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('signs a document in the vault, names the versioned key, and the signature verifies with the public key only', async () => {
    const credential: TokenCredential = { getToken: async () => ({ token: accessToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const signer = await keyVaultSigner(`${vault}/keys/audit-signing`, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: cert } });
    assert.equal(signer.keyId, `${vault}/keys/audit-signing/v1`);
    assert.equal(signer.alg, 'RS256');
    const document = await sign({ v: 2, to: '2025-07-01' }, signer);
    assert.deepEqual(signed, ['RS256']);
    const trusted = [{ key: vaultKey.publicKey, thumbprint: thumbprintOf(vaultKey.publicKey) }];
    assert.deepEqual(checkSignature(document, trusted), { keyId: signer.keyId });
    assert.ok('problem' in checkSignature({ ...document, to: '2025-07-02' } as typeof document, trusted));
  });
});
