import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from './analyze.js';

const flags = (sql: string) => analyze(sql, 'mariadb').flags.sort();

describe('mysql analyze', () => {
  it('reads: plain SELECT, SHOW, EXPLAIN, subqueries and CTEs are read-only', () => {
    for (const sql of ['SELECT * FROM t WHERE id = 1', 'SHOW TABLES', 'EXPLAIN SELECT * FROM t', 'SELECT * FROM t WHERE id IN (SELECT x FROM u)', 'WITH a AS (SELECT 1) SELECT * FROM a']) {
      assert.equal(analyze(sql, 'mariadb').readOnly, true, sql);
      assert.ok(flags(sql).includes('read-only'), sql);
    }
    assert.deepEqual(analyze('SELECT * FROM shop.t JOIN u ON t.id = u.id', 'mysql').resources.sort(), ['shop.t', 'u']);
  });

  it('a SELECT that locks, writes a file or sets a variable is not a read', () => {
    assert.deepEqual(flags('SELECT * FROM t FOR UPDATE'), ['lock']);
    assert.deepEqual(flags("SELECT * INTO OUTFILE '/tmp/x' FROM t"), ['file']);
    assert.deepEqual(flags('SELECT a INTO @v FROM t'), ['set-config']);
    assert.deepEqual(flags("SELECT GET_LOCK('a', 1)"), ['lock', 'opaque-code']);
  });

  it('functions other than known built-ins are opaque code (still a read, bounded by READ ONLY)', () => {
    assert.deepEqual(flags('SELECT touch_customer(1)'), ['opaque-code', 'read-only']);
    assert.deepEqual(flags('SELECT shop.upper(name) FROM t'), ['opaque-code', 'read-only']);
    assert.deepEqual(flags('SELECT UPPER(name), COUNT(*) FROM t GROUP BY 1'), ['read-only']);
    assert.deepEqual(flags('CALL p()'), ['opaque-code']);
  });

  it('writes, DDL and no-where', () => {
    assert.deepEqual(flags('UPDATE t SET a = 1 WHERE id = 2'), ['write']);
    assert.deepEqual(flags('INSERT INTO t SELECT * FROM u'), ['write']);
    assert.deepEqual(flags('DELETE FROM t'), ['no-where', 'write']);
    assert.deepEqual(flags('TRUNCATE t'), ['no-where', 'write']);
    assert.deepEqual(flags('DROP TABLE t'), ['ddl']);
    assert.deepEqual(flags('GRANT ALL ON *.* TO x'), ['ddl']);
    assert.deepEqual(flags("LOAD DATA INFILE 'x' INTO TABLE t"), ['file', 'write']);
    assert.deepEqual(flags('LOCK TABLES t WRITE'), ['lock']);
    assert.deepEqual(flags('SET @a = 1'), ['set-config']);
  });

  it('flags a WHERE that is always true as no-where', () => {
    for (const where of ['1', '1 = 1', 'TRUE', 'id = id', 'id = 2 OR 1 = 1', "'a' = 'a'", 'NOT FALSE', '(id > 3) OR (2 > 1)', "name LIKE '%'", '? = ?']) {
      assert.ok(flags(`UPDATE t SET a = 1 WHERE ${where}`).includes('no-where'), where);
      assert.ok(flags(`DELETE FROM t WHERE ${where}`).includes('no-where'), where);
    }
    for (const where of ['id = 2', 'id = 2 AND 1 = 1', 'id > 0', '1 = 0 OR id = 3', "'a'", 'id <> id OR id = 1']) {
      assert.ok(!flags(`UPDATE t SET a = 1 WHERE ${where}`).includes('no-where'), where);
    }
  });

  it('marks unparsable what the grammar cannot parse and executable comments it would take for comments', () => {
    for (const sql of ['SELEC 1', 'HANDLER t OPEN', 'SELECT 1 /*! ; DROP TABLE t */', 'SELECT * FROM t WHERE id = 1 /*M!100000 OR 1=1 */']) {
      assert.deepEqual(analyze(sql, 'mariadb').flags, ['unparsable'], sql);
      assert.equal(analyze(sql, 'mariadb').readOnly, false);
    }
  });

  it('judges what the server reads, not what the grammar takes for comments', () => {
    // MySQL reads `--1` as minus minus one: the grammar would miss the OR, the column, the file.
    for (const sql of ['DELETE FROM orders WHERE id = 1 --1 OR 1=1', 'SELECT 1 --1, name FROM customers', "SELECT 1 --1 INTO OUTFILE '/tmp/x'", "SELECT 1 --1, LOAD_FILE('/etc/hostname')"]) {
      assert.deepEqual(analyze(sql, 'mariadb').flags, ['unparsable'], sql);
    }
    // The server ends a comment at \n only; the grammar at \r as well.
    assert.deepEqual(analyze("SELECT 1 -- x\r' \n, email FROM customers -- '", 'mariadb').resources, ['customers']);
    assert.deepEqual(analyze('DELETE FROM orders WHERE id = 1 # x\rAND id = 2\nOR 1=1', 'mariadb').flags.sort(), ['no-where', 'write']);
    assert.deepEqual(analyze('SELECT 1 -- x\nFROM customers', 'mariadb').resources, ['customers']);
    assert.deepEqual(analyze("SELECT '/*!', '--1' FROM t", 'mariadb').flags, ['read-only']);
  });

  it("reports tables of the connection's database both qualified and not", () => {
    assert.deepEqual(analyze('SELECT name FROM customers', 'mariadb', 'shop').resources.sort(), ['customers', 'shop.customers']);
    assert.deepEqual(analyze('SELECT name FROM shop.customers', 'mariadb', 'shop').resources.sort(), ['customers', 'shop.customers']);
    assert.deepEqual(analyze('SELECT name FROM other.customers', 'mariadb', 'shop').resources, ['other.customers']);
    assert.deepEqual(analyze('SELECT name FROM customers', 'mariadb').resources, ['customers']);
  });

  it('counts statements and sees transaction control', () => {
    assert.equal(analyze('SELECT 1; SELECT 2', 'mysql').statements, 2);
    assert.equal(analyze('START TRANSACTION', 'mysql').transactionControl, true);
  });
});
