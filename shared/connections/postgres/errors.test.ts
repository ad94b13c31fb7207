import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { createMasker } from '../../masking/index.js';
import { refusalFor } from './errors.js';
import { SqlFailure } from './execute.js';

const context = { connection: 'shop', masker: createMasker(), statementTimeoutMs: 500, offsets: [0, 20], readsMasked: false };

function dbError(code: string, message: string, extra: Partial<pg.DatabaseError> = {}): pg.DatabaseError {
  return Object.assign(new pg.DatabaseError(message, message.length, 'error'), { code, severity: 'ERROR', ...extra });
}

describe('postgres errors', () => {
  it('answers a SQL error with 400, its SQLSTATE, the statement and the position in the request', () => {
    const r = refusalFor(new SqlFailure('statement', dbError('42P01', 'relation "nope" does not exist', { position: '15' }), 1), context);
    assert.equal(r.status, 400);
    assert.equal(r.type, 'sql-error');
    assert.equal(r.detail, 'Statement 2: relation "nope" does not exist; the transaction was rolled back.');
    assert.deepEqual(r.extensions, { sqlstate: '42P01', statement: 2, position: 35 });
  });

  it('masks values that PostgreSQL quotes in messages, details and hints', () => {
    const error = dbError('23505', 'duplicate key value violates unique constraint "customers_email_key"', {
      detail: 'Key (email)=(ada@example.com) already exists.',
      hint: 'Try grace@example.net',
    });
    const r = refusalFor(new SqlFailure('statement', error, 0), context);
    assert.doesNotMatch(JSON.stringify(r), /example\.(com|net)/);
    assert.match(r.detail, /Key \(email\)=\(\[MASKED:pii-email\]\) already exists/);
    assert.equal(r.extensions.hint, 'Try [MASKED:pii-email]');
  });

  it('withholds the message, DETAIL and HINT whole when the request reads masked columns, keeping the SQLSTATE, statement and position', () => {
    const token = `tok_${randomBytes(8).toString('hex')}`;
    const masked = { ...context, readsMasked: true };
    for (const error of [
      dbError('22P02', `invalid input syntax for type integer: "${token}"`, { position: '8' }),
      // Values need no quotes to be quoted: xmlparse shows the document, a constraint the failing row.
      dbError('2200M', 'invalid XML document', { detail: `line 1: Start tag expected, '<' not found\n${token}\n^`, position: '8' }),
      dbError('23502', 'null value in column "name" of relation "customers" violates not-null constraint', { detail: `Failing row contains (1, null, ${token}).`, position: '8' }),
      dbError('P0001', token, { where: 'PL/pgSQL function inline_code_block line 1 at RAISE', hint: token, position: '8' }),
    ]) {
      const r = refusalFor(new SqlFailure('statement', error, 1), masked);
      assert.doesNotMatch(JSON.stringify(r), new RegExp(token));
      assert.equal(r.detail, "Statement 2: PostgreSQL's message is withheld (see the SQLSTATE), since the request reads masked columns and the message could quote their values; the transaction was rolled back.");
      assert.deepEqual(r.extensions, { sqlstate: error.code, statement: 2, position: 28 });
    }
    const readOnly = refusalFor(new SqlFailure('statement', dbError('25006', token), 0), masked);
    assert.equal(readOnly.status, 403);
    assert.doesNotMatch(JSON.stringify(readOnly), new RegExp(token));
    // Unmasked requests keep the server's text.
    assert.match(refusalFor(new SqlFailure('statement', dbError('22P02', 'invalid input syntax for type integer: "abc"'), 0), context).detail, /"abc"/);
  });

  it('answers a write refused by the READ ONLY transaction with 403', () => {
    const r = refusalFor(new SqlFailure('statement', dbError('25006', 'cannot execute UPDATE in a read-only transaction'), 0), context);
    assert.equal(r.status, 403);
    assert.equal(r.type, 'read-only-violation');
    assert.match(r.detail, /READ ONLY transaction/);
  });

  it('answers a statement timeout, or a statement the watchdog stopped, with 504', () => {
    const cancelled = refusalFor(new SqlFailure('statement', dbError('57014', 'canceling statement due to statement timeout'), 0), context);
    assert.equal(cancelled.status, 504);
    assert.equal(cancelled.type, 'sql-timeout');
    assert.match(cancelled.detail, /500 ms/);
    const abandoned = refusalFor(new SqlFailure('statement', new Error('gone'), 0, true), context);
    assert.equal(abandoned.status, 504);
  });

  it('answers connection failures with 502 and only an error code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const r = refusalFor(new SqlFailure('connect', refused), context);
    assert.equal(r.status, 502);
    assert.equal(r.type, 'database-unavailable');
    assert.match(r.detail, /\(ECONNREFUSED\)/);
    assert.doesNotMatch(r.detail, /10\.0\.0\.5/);
    const auth = refusalFor(new SqlFailure('connect', dbError('28P01', 'password authentication failed for user "agent"')), context);
    assert.equal(auth.status, 502);
    assert.doesNotMatch(auth.detail, /agent/);
    const dropped = refusalFor(new SqlFailure('statement', new Error('Connection terminated unexpectedly'), 0), context);
    assert.equal(dropped.status, 502);
    const shutdown = refusalFor(new SqlFailure('statement', dbError('57P01', 'terminating connection due to administrator command'), 0), context);
    assert.equal(shutdown.status, 502);
  });

  it('answers an exhausted server with 503 and Retry-After', () => {
    const r = refusalFor(new SqlFailure('connect', dbError('53300', 'sorry, too many clients already')), context);
    assert.equal(r.status, 503);
    assert.equal(r.headers['retry-after'], '5');
  });

  it('answers a failed COMMIT (deferred constraint) as a SQL error without a statement', () => {
    const r = refusalFor(new SqlFailure('transaction', dbError('23503', 'insert or update on table "orders" violates foreign key constraint')), context);
    assert.equal(r.status, 400);
    assert.deepEqual(r.extensions, { sqlstate: '23503' });
  });
});
