import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { analyze } from './analyze.js';
import { derivedMasks, readsMasked } from './outputs.js';

const masker = createMasker();
const sensitiveName = (name: string) => masker.json({ [name]: 'x' }, '$').findings.length > 0;

const masks = (sql: string, names: string[], maskColumns = ['card_number']) =>
  derivedMasks(analyze(sql, 'mariadb').outputs, maskColumns, sensitiveName)(names);

describe('mysql result masking without lineage', () => {
  it('masks every computed or renamed column when the statement reads a masked column', () => {
    assert.deepEqual(masks('SELECT id, api_token AS t, email AS e, card_number AS c FROM customers', ['id', 't', 'e', 'c']), [false, true, true, true]);
    assert.deepEqual(masks("SELECT id, concat(api_token, '') AS t, replace(email, '@', ' at ') AS e FROM customers", ['id', 't', 'e']), [false, true, true]);
    assert.deepEqual(masks('SELECT name, upper(name) AS n FROM customers WHERE card_number IS NOT NULL', ['name', 'n']), [false, true]);
  });

  it('masks every column when subqueries, CTEs or set operations rename them', () => {
    assert.deepEqual(masks('SELECT t FROM (SELECT api_token AS t FROM customers) s', ['t']), [true]);
    assert.deepEqual(masks('WITH s AS (SELECT email AS t FROM customers) SELECT t FROM s', ['t']), [true]);
    assert.deepEqual(masks("SELECT 'x' AS a UNION ALL SELECT api_token FROM customers", ['a']), [true]);
    assert.deepEqual(masks('SELECT * FROM (SELECT api_token AS t FROM customers) s', ['t']), [true]);
  });

  it('leaves plain columns, stars over tables, and statements that read nothing masked to masking by name', () => {
    assert.deepEqual(masks('SELECT id, name, api_token FROM customers', ['id', 'name', 'api_token']), [false, false, false]);
    assert.deepEqual(masks('SELECT * FROM customers', ['id', 'name', 'email']), [false, false, false]);
    assert.deepEqual(masks('SELECT id, upper(name) AS n, total * 2 FROM orders', ['id', 'n', 'total * 2']), [false, false, false]);
    assert.deepEqual(masks('SELECT id, n FROM (SELECT id, name AS n FROM customers) s', ['id', 'n']), [false, false]);
    // A star may read a masked column: over a subquery, nothing is left to names.
    assert.deepEqual(masks('SELECT * FROM (SELECT id, name AS n FROM customers) s', ['id', 'n']), [true, true]);
  });

  it('fails closed on code it cannot see into', () => {
    assert.deepEqual(masks('SELECT id, shop.decrypt(id) AS d FROM orders', ['id', 'd']), [false, true]);
  });

  it("masks every output of a read of the optimizer's statistics, samples of other tables' columns", () => {
    assert.deepEqual(masks('SELECT column_name, min_value, max_value FROM mysql.column_stats', ['column_name', 'min_value', 'max_value']), [true, true, true]);
    assert.deepEqual(masks('SELECT histogram FROM INFORMATION_SCHEMA.COLUMN_STATISTICS', ['histogram']), [true]);
    assert.ok(readsMasked(analyze('SELECT CAST(max_value AS SIGNED) FROM mysql.column_stats', 'mariadb').outputs, [], sensitiveName));
  });
});

describe('mysql: whether a statement may read masked values (its errors may quote them)', () => {
  const reads = (sql: string) => readsMasked(analyze(sql, 'mariadb').outputs, ['recovery_code'], sensitiveName);

  it('is true for a masked column in any clause, a star, code it cannot see into, and what is more than a read', () => {
    for (const sql of [
      'SELECT EXTRACTVALUE(1, CONCAT(0x7e, (SELECT api_token FROM customers LIMIT 1))) AS x',
      'SELECT COUNT(*), CONCAT((SELECT recovery_code FROM customers LIMIT 1), FLOOR(RAND(0)*2)) AS x FROM information_schema.columns GROUP BY x',
      'SELECT id FROM customers WHERE api_token + 0 = 1',
      'SELECT * FROM customers WHERE id = 1',
      'SELECT shop.decrypt(id) AS d FROM orders',
      // A duplicate key over several columns quotes them all.
      "UPDATE customers SET name = 'x' WHERE id = 1",
      'SELEC nonsense',
    ]) {
      assert.equal(reads(sql), true, sql);
    }
  });

  it('is false for a read that names no masked column', () => {
    for (const sql of ['SELECT id, name FROM customers WHERE id = 1', 'SELECT 1/0 AS x', 'SELECT total + 1 AS t FROM orders WHERE customer_id = 1']) {
      assert.equal(reads(sql), false, sql);
    }
  });
});
