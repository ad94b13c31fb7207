import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from './analyze.js';
import { parseSql } from './parse.js';

const noWhere = async (sql: string) => analyze((await parseSql(sql)).map((s) => s.node)).flags.includes('no-where');

describe('no-where: conditions that filter nothing', () => {
  it('flags the six statements that emptied the orders table', async () => {
    for (const sql of [
      'UPDATE orders SET total = 1 WHERE id = id',
      'DELETE FROM orders WHERE 1=1',
      'DELETE FROM orders WHERE true',
      'DELETE FROM orders WHERE status IS NULL OR status IS NOT NULL',
      'EXPLAIN ANALYZE DELETE FROM orders',
      'DELETE FROM orders WHERE id=id OR false',
    ]) {
      assert.ok(await noWhere(sql), sql);
    }
  });

  it('flags tautologies: the same expression on both sides, a condition or its complement, folded constants', async () => {
    for (const where of [
      "'a' = 'a'", 'NOT false', 'true AND true', '1 + 1 = 2', "'1' = 1", "'yes'", 'true::text = \'true\'', '2 > 1', '1 <> 2', '1 BETWEEN 0 AND 2',
      '1 IN (1, 2)', '3 NOT IN (1, 2)', 'NULL IS NULL', '1 IS NOT NULL', 'NULL IS NOT DISTINCT FROM NULL', '1 IS DISTINCT FROM 2', 'coalesce(NULL, true)',
      'coalesce(true, status = \'x\')', '(1 = 1) IS TRUE', 'NOT (1 = 2)', 'true OR status = \'x\'', 'status = \'x\' OR 1 = 1',
      'id >= id', 'id <= id', 'o.id = o.id', 'id::text = id::text', 'lower(status) = lower(status)', 'id IS NOT DISTINCT FROM id', 'id IN (3, id)',
      'id BETWEEN id AND id', 'NOT (id <> id)', 'NOT (id < id)', 'id = id AND true',
      'id < 3 OR id >= 3', '3 > id OR id >= 3', 'id = 1 OR id <> 1', 'id = 1 OR id != 1', 'status = \'x\' OR NOT status = \'x\'',
      '(id = 1) IS TRUE OR (id = 1) IS NOT TRUE', 'status IS NOT NULL OR status IS NULL OR id = 1', '(status IS NULL OR id = 3) OR status IS NOT NULL',
      'EXISTS (SELECT 1)', 'EXISTS (SELECT 1 FROM customers c WHERE c.id = 1)', '$1', '$1::boolean', 'random() < 2', 'id = 1 OR $1',
      '(SELECT count(*) FROM customers) > 0', 'now() > \'2000-01-01\'',
    ]) {
      assert.ok(await noWhere(`DELETE FROM orders o WHERE ${where}`), where);
    }
  });

  it('flags a join condition on the other table only (UPDATE … FROM, DELETE … USING, MERGE)', async () => {
    assert.ok(await noWhere('UPDATE orders SET total = 0 FROM customers WHERE customers.id = 1'));
    assert.ok(await noWhere('DELETE FROM orders USING customers c WHERE c.email = $1'));
    assert.ok(await noWhere('MERGE INTO orders o USING customers c ON c.id = 1 WHEN MATCHED THEN DELETE'));
  });

  it('flags such a WHERE in a data-modifying WITH and under EXPLAIN ANALYZE', async () => {
    assert.ok(await noWhere('WITH d AS (DELETE FROM orders WHERE id = id RETURNING *) SELECT * FROM d'));
    assert.ok(await noWhere('EXPLAIN (ANALYZE, FORMAT JSON) UPDATE orders SET total = 0 WHERE 1 = 1'));
    assert.ok(await noWhere('EXPLAIN ANALYZE DELETE FROM orders WHERE status IS NULL OR status IS NOT NULL'));
  });

  it('does not flag conditions that depend on the row', async () => {
    for (const where of [
      'id = 3', 'id = $1', 'status IS NULL', 'status IS NOT NULL', "status = 'open'", 'id = id AND status = \'x\'', 'id <> id OR status = \'x\'',
      'id < 3 OR id > 3', 'id = 1 OR id = 2', 'id NOT IN (1, 2)', 'id BETWEEN 1 AND 5', 'o.customer_id = c.id', 'NOT flagged',
      'EXISTS (SELECT 1 FROM customers c WHERE c.id = customer_id)', 'customer_id IN (SELECT id FROM customers WHERE email = $1)',
      'false', 'NULL', '1 = 2', 'id = 1 AND false', 'coalesce(status, \'x\') = \'open\'', 'total > 100 AND $1', 'CURRENT OF c',
    ]) {
      assert.equal(await noWhere(`DELETE FROM orders o USING customers c WHERE ${where}`), false, where);
    }
  });

  it('counts a condition nested deeper than it follows as filtering nothing, without overflowing the stack', async () => {
    assert.ok(await noWhere(`DELETE FROM orders WHERE ${'NOT '.repeat(5000)}id = 1`));
    assert.equal(await noWhere(`DELETE FROM orders WHERE ${Array.from({ length: 2000 }, (_, i) => `id = ${i}`).join(' OR ')}`), false);
  });
});
