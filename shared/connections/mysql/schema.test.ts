import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mysqlConnectionSchema } from './schema.js';

describe('mysql connection schema', () => {
  it('takes maxAffectedRows only with reviewers to hold writes over it for', () => {
    const base = { kind: 'mysql', credential: { env: 'DB' } };
    const missing = mysqlConnectionSchema.safeParse({ ...base, maxAffectedRows: 100 });
    assert.equal(missing.success, false);
    assert.deepEqual(missing.error!.issues[0]!.path, ['reviewers']);
    assert.equal(mysqlConnectionSchema.parse({ ...base, maxAffectedRows: 100, reviewers: ['dba'] }).maxAffectedRows, 100);
    assert.equal(mysqlConnectionSchema.safeParse({ ...base, maxAffectedRows: -1, reviewers: ['dba'] }).success, false);
  });
});
