import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import type { StatementResult } from './execute.js';
import { maskedResponse } from './result.js';

const masker = createMasker();

const customers: StatementResult = {
  command: 'SELECT',
  columns: [
    { name: 'id', typeId: 23 },
    { name: 'email', typeId: 25 },
    { name: 'card_number', typeId: 25 },
    { name: 'api_token', typeId: 25 },
    { name: 'ssn', typeId: 25 },
    { name: 'active', typeId: 16 },
  ],
  rows: [
    ['1', 'ada@example.com', '4111 1111 1111 1111', 'tok_live_ada_7f3a9c21', '123-45-6789', 't'],
    ['2', 'alan@example.org', null, null, null, 'f'],
  ],
  rowCount: 2,
  truncated: false,
};

describe('postgres result', () => {
  it('masks values by the detectors and sensitive column names by key', () => {
    const { body, findings } = maskedResponse([customers], masker, []);
    assert.deepEqual(body.rows[0], {
      id: 1,
      email: '[MASKED:pii-email]',
      card_number: '[MASKED:pii-card]',
      api_token: '[MASKED:sensitive-key]',
      ssn: '[MASKED:pii-ssn]',
      active: true,
    });
    assert.deepEqual(body.rows[1], { id: 2, email: '[MASKED:pii-email]', card_number: null, api_token: null, ssn: null, active: false });
    assert.ok(findings.some((f) => f.rule === 'pii-card' && f.location.startsWith('$.rows[0].card_number')));
    assert.ok(!JSON.stringify(findings).includes('ada@example.com'));
  });

  it('masks the connection\'s own column names whatever they hold', () => {
    const result: StatementResult = { ...customers, columns: [{ name: 'id', typeId: 23 }, { name: 'Date_Of_Birth', typeId: 1082 }], rows: [['1', '1815-12-10']] };
    const { body, findings } = maskedResponse([result], masker, ['dob', 'date-of-birth']);
    assert.deepEqual(body.rows[0], { id: 1, Date_Of_Birth: '[MASKED:mask-column]' });
    assert.deepEqual(findings.map((f) => [f.rule, f.location, f.length]), [['mask-column', '$.rows[0].Date_Of_Birth', 10]]);
  });

  it('describes columns and counts', () => {
    const { body, details } = maskedResponse([customers], masker, []);
    assert.deepEqual(body.columns.slice(0, 2), [{ name: 'id', type: 'int4' }, { name: 'email', type: 'text' }]);
    assert.equal(body.rowCount, 2);
    assert.equal(body.truncated, false);
    assert.equal(body.command, 'SELECT');
    assert.equal(body.statements, undefined);
    assert.deepEqual(details, { statements: 1, rowCount: 2, truncated: false });
  });

  it('keeps every cell when column names repeat, masking each under its own name', () => {
    const result: StatementResult = { command: 'SELECT', columns: [{ name: 'password', typeId: 25 }, { name: 'password', typeId: 25 }], rows: [['a', 'b']], rowCount: 1, truncated: false };
    const { body } = maskedResponse([result], masker, []);
    assert.deepEqual(body.rows[0], { password: '[MASKED:sensitive-key]', password_2: '[MASKED:sensitive-key]' });
    assert.deepEqual(body.columns.map((c) => c.name), ['password', 'password_2']);
  });

  it('masks inside json columns, by key and by value', () => {
    const result: StatementResult = { command: 'SELECT', columns: [{ name: 'profile', typeId: 3802 }], rows: [['{"secret": "s3", "contact": "ada@example.com", "n": 1}']], rowCount: 1, truncated: false };
    const { body } = maskedResponse([result], masker, []);
    assert.deepEqual(body.rows[0], { profile: { secret: '[MASKED:sensitive-key]', contact: '[MASKED:pii-email]', n: 1 } });
  });

  it('answers with the last statement and a summary of each when there were several', () => {
    const deleted: StatementResult = { command: 'DELETE', columns: [], rows: [], rowCount: 3, truncated: false };
    const { body, details } = maskedResponse([deleted, { ...customers, truncated: true }], masker, []);
    assert.equal(body.command, 'SELECT');
    assert.deepEqual(body.statements, [
      { command: 'DELETE', rowCount: 3, truncated: false },
      { command: 'SELECT', rowCount: 2, truncated: true },
    ]);
    assert.deepEqual(details, { statements: 2, rowCount: 2, truncated: true });
  });
});
