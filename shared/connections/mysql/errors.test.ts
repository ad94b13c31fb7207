import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { refusalFor } from './errors.js';
import { MysqlFailure } from './execute.js';

const context = { connection: 'shop', masker: createMasker(), statementTimeoutMs: 500, readsMasked: false };

const serverError = (errno: number, sqlState: string, message: string) => Object.assign(new Error(message), { errno, sqlState, code: 'ER_X', fatal: false });

describe('mysql errors', () => {
  it('answers a SQL error with 400, its error number and SQLSTATE, the message masked', () => {
    const r = refusalFor(new MysqlFailure('statement', serverError(1062, '23000', "Duplicate entry 'ada@example.com' for key 'email'")), context);
    assert.equal(r.status, 400);
    assert.equal(r.type, 'sql-error');
    assert.equal(r.detail, "Duplicate entry '[MASKED:pii-email]' for key 'email'; the transaction was rolled back.");
    assert.deepEqual(r.extensions, { errno: 1062, sqlstate: '23000' });
  });

  it('withholds the message whole when the statement reads masked columns, keeping the error number and SQLSTATE', () => {
    const token = `tok${randomBytes(8).toString('hex')}`;
    const masked = { ...context, readsMasked: true };
    for (const [errno, sqlState, message] of [
      [1105, 'HY000', `XPATH syntax error: '~${token}'`],
      [1062, '23000', `Duplicate entry '${token}1' for key 'group_key'`],
      [1292, '22007', `Truncated incorrect DOUBLE value: '${token}'`],
    ] as const) {
      const r = refusalFor(new MysqlFailure('statement', serverError(errno, sqlState, message)), masked);
      assert.doesNotMatch(JSON.stringify(r), new RegExp(token));
      assert.equal(r.detail, "The server's message is withheld (see errno and SQLSTATE), since the statement reads masked columns and the message could quote their values; the transaction was rolled back.");
      assert.deepEqual(r.extensions, { errno, sqlstate: sqlState });
    }
    const readOnly = refusalFor(new MysqlFailure('statement', serverError(1792, '25006', token)), masked);
    assert.equal(readOnly.status, 403);
    assert.doesNotMatch(JSON.stringify(readOnly), new RegExp(token));
  });
});
