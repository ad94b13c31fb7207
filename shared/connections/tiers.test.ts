import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../platform/problem.js';
import type { CredentialConfig } from './credential-schema.js';
import { tierFor } from './operation.js';
import { credentialFor } from './tiers.js';

const kv = (secret: string) => ({ keyVault: { vault: 'https://v.vault.azure.net', secret }, header: 'Authorization', format: 'Bearer {value}' }) as CredentialConfig;

describe('credential tiers', () => {
  it('reads by the read-only flag or a safe method', () => {
    assert.equal(tierFor({ method: 'SQL', flags: ['read-only'] }), 'read');
    assert.equal(tierFor({ method: 'SQL', flags: ['write'] }), 'write');
    assert.equal(tierFor({ method: 'OPTIONS', flags: [] }), 'read');
    assert.equal(tierFor({ method: 'DELETE', flags: [] }), 'write');
  });

  it('picks the tier\'s credential, the single credential for every tier, and refuses a tier that is not there', () => {
    const tiers = { credentials: { read: kv('r'), write: kv('w') } };
    assert.equal(credentialFor('c', tiers, 'read')?.keyVault?.secret, 'r');
    assert.equal(credentialFor('c', tiers, 'write')?.keyVault?.secret, 'w');
    assert.throws(() => credentialFor('c', tiers, 'admin'), (e: unknown) => e instanceof Refusal && e.status === 403 && e.type === 'tier-unavailable');
    assert.equal(credentialFor('c', { credential: kv('one') }, 'admin')?.keyVault?.secret, 'one');
    assert.equal(credentialFor('c', {}, 'read'), undefined);
  });
});
