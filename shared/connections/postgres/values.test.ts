import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonValue, typeName } from './values.js';

describe('postgres values', () => {
  it('turns booleans, small integers and floats into JSON values', () => {
    assert.equal(jsonValue(16, 't'), true);
    assert.equal(jsonValue(16, 'f'), false);
    assert.equal(jsonValue(23, '42'), 42);
    assert.equal(jsonValue(21, '-7'), -7);
    assert.equal(jsonValue(701, '1.5'), 1.5);
  });

  it('keeps bigint and numeric as text, so no digit is rounded away', () => {
    assert.equal(jsonValue(20, '9007199254740993'), '9007199254740993');
    assert.equal(jsonValue(1700, '0.10000000000000000001'), '0.10000000000000000001');
  });

  it('keeps float values JSON cannot hold as text', () => {
    assert.equal(jsonValue(701, 'NaN'), 'NaN');
    assert.equal(jsonValue(700, 'Infinity'), 'Infinity');
  });

  it('parses json and jsonb, and keeps other types as PostgreSQL printed them', () => {
    assert.deepEqual(jsonValue(3802, '{"a": [1, 2]}'), { a: [1, 2] });
    assert.deepEqual(jsonValue(114, '[true]'), [true]);
    assert.equal(jsonValue(1184, '2024-05-01 12:00:00+00'), '2024-05-01 12:00:00+00');
    assert.equal(jsonValue(17, '\\x0102'), '\\x0102');
    assert.equal(jsonValue(1007, '{1,2}'), '{1,2}');
  });

  it('passes NULL through', () => {
    assert.equal(jsonValue(23, null), null);
  });

  it('names built-in types and shows the OID of others', () => {
    assert.equal(typeName(25), 'text');
    assert.equal(typeName(1184), 'timestamptz');
    assert.equal(typeName(16385), 'oid:16385');
  });
});
