import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresConnectionSchema } from './schema.js';

describe('postgres connection schema', () => {
  it('fills in the guard rails\' defaults', () => {
    const c = postgresConnectionSchema.parse({ kind: 'postgres', credential: { keyVault: { vault: 'https://v.vault.azure.net', secret: 'shop-db' } } });
    assert.equal(c.rowLimit, 1000);
    assert.equal(c.statementTimeoutMs, 15_000);
    assert.deepEqual(c.maskColumns, []);
    assert.equal(c.poolSize, 4);
    assert.equal(c.default, 'deny');
  });

  it('requires a credential holding a connection string', () => {
    assert.equal(postgresConnectionSchema.safeParse({ kind: 'postgres' }).success, false);
    const identity = postgresConnectionSchema.safeParse({ kind: 'postgres', credential: { managedIdentity: { scope: 'https://ossrdbms-aad.database.windows.net/.default' } } });
    assert.equal(identity.success, false);
    assert.match(identity.error!.issues[0]!.message, /connection string/);
  });

  it('refuses limits out of range and unknown fields', () => {
    const base = { kind: 'postgres', credential: { env: 'DB' } };
    for (const extra of [{ rowLimit: 0 }, { statementTimeoutMs: 10 }, { poolSize: 100 }, { upstream: 'https://x' }]) {
      assert.equal(postgresConnectionSchema.safeParse({ ...base, ...extra }).success, false, JSON.stringify(extra));
    }
  });

  it('takes maxAffectedRows only with reviewers to hold writes over it for', () => {
    const base = { kind: 'postgres', credential: { env: 'DB' } };
    const missing = postgresConnectionSchema.safeParse({ ...base, maxAffectedRows: 100 });
    assert.equal(missing.success, false);
    assert.deepEqual(missing.error!.issues[0]!.path, ['reviewers']);
    assert.equal(postgresConnectionSchema.parse({ ...base, maxAffectedRows: 100, reviewers: ['dba'] }).maxAffectedRows, 100);
    assert.equal(postgresConnectionSchema.safeParse({ ...base, maxAffectedRows: -1, reviewers: ['dba'] }).success, false);
  });
});
