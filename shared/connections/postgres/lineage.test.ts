import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { analyze } from './analyze.js';
import { derivedMasks, readsMasked } from './lineage.js';
import { parseSql } from './parse.js';

const masker = createMasker();
const SPECS = ['public.customers.email', '*.card_number'];

/** Masks of the result columns named `names` for `sql` under `specs`. */
async function masks(sql: string, names: string[], specs: string[] = SPECS): Promise<boolean[]> {
  const statements = (await parseSql(sql)).map((s) => s.node);
  return derivedMasks({
    statements,
    tables: analyze(statements).resources,
    maskColumns: specs,
    sensitiveName: (name) => masker.json({ [name]: 'x' }, '$').findings.length > 0,
  })(names);
}

describe('lineage: result columns computed from masked columns', () => {
  it('masks what functions, casts, operators and aliases make of a masked column', async () => {
    for (const [sql, names] of [
      ['SELECT id, substr(card_number, 1, 8) FROM customers', ['id', 'substr']],
      ["SELECT id, replace(email, '@', ' at ') AS contact FROM customers", ['id', 'contact']],
      ["SELECT id, encode(email::bytea, 'base64') FROM customers", ['id', 'encode']],
      ['SELECT id, reverse(card_number) AS r FROM customers', ['id', 'r']],
      ['SELECT id, email AS contact FROM customers', ['id', 'contact']],
      ["SELECT c.id, c.email || '' FROM customers c", ['id', '?column?']],
      ['SELECT id, reverse(api_token) AS t FROM customers', ['id', 't']],
      ['SELECT id, upper(CASE WHEN true THEN card_number END) FROM customers', ['id', 'upper']],
      ['SELECT id, (SELECT max(email) FROM customers) FROM orders', ['id', 'max']],
    ] as const) {
      assert.deepEqual(await masks(sql, [...names]), [false, true], sql);
    }
  });

  it('follows a masked column through subqueries, CTEs and their column alias lists', async () => {
    assert.deepEqual(await masks('SELECT id, m FROM (SELECT id, email AS m FROM customers) t', ['id', 'm']), [false, true]);
    assert.deepEqual(await masks('WITH d AS (SELECT id, substr(email, 1, 3) AS s FROM customers) SELECT id, lower(s) FROM d', ['id', 'lower']), [false, true]);
    assert.deepEqual(await masks('SELECT a, b FROM (SELECT id, email FROM customers) AS t(a, b)', ['a', 'b']), [false, true]);
    assert.deepEqual(await masks('WITH d(a, b) AS (SELECT id, card_number FROM customers) SELECT b AS x, a FROM d', ['x', 'a']), [true, false]);
    assert.deepEqual(await masks('SELECT x FROM (SELECT * FROM customers) AS t(a, x)', ['x']), [true]);
  });

  it('masks star columns by name, and places the targets around a star', async () => {
    assert.deepEqual(await masks('SELECT * FROM customers', ['id', 'name', 'email', 'card_number']), [false, false, true, true]);
    assert.deepEqual(await masks('SELECT reverse(email), *, 1 AS one FROM customers', ['reverse', 'id', 'email', 'one']), [true, false, true, false]);
  });

  it('masks whole-row references, set operations, VALUES and RETURNING', async () => {
    assert.deepEqual(await masks('SELECT id, row_to_json(c) FROM customers c', ['id', 'row_to_json']), [false, true]);
    assert.deepEqual(await masks('SELECT id, to_jsonb(c.*)::text FROM customers c', ['id', 'to_jsonb']), [false, true]);
    assert.deepEqual(await masks("SELECT 1, 'x' UNION ALL SELECT id, card_number FROM customers", ['?column?', '?column?']), [false, true]);
    assert.deepEqual(await masks("UPDATE customers SET name = 'x' WHERE id = 1 RETURNING id, reverse(email)", ['id', 'reverse']), [false, true]);
  });

  it('follows later branches of set operations, VALUES and functions in FROM', async () => {
    for (const [sql, name] of [
      ["SELECT a FROM (SELECT 'x' AS a UNION ALL SELECT api_token FROM customers) s", 'a'],
      ["SELECT a FROM (SELECT 'x' AS a UNION ALL SELECT replace(email, '@', ' at ') FROM customers) s", 'a'],
      ["WITH u AS (SELECT 1 AS n, 'x' AS a EXCEPT SELECT id, reverse(card_number) FROM customers) SELECT a FROM u", 'a'],
      ["SELECT column1 FROM (VALUES ((SELECT string_agg(replace(email, '@', ' at '), ',') FROM customers))) v", 'column1'],
      ["WITH t AS (VALUES ((SELECT string_agg(reverse(card_number), ',') FROM customers))) SELECT column1 FROM t", 'column1'],
      ['SELECT x FROM unnest(ARRAY(SELECT api_token FROM customers)) x', 'x'],
      ['SELECT unnest FROM unnest(ARRAY(SELECT reverse(card_number) FROM customers))', 'unnest'],
      ['SELECT y FROM unnest(ARRAY(SELECT api_token FROM customers)) AS x(y)', 'y'],
      ["SELECT value FROM jsonb_each_text((SELECT jsonb_object_agg(id, replace(email, '@', ' at ')) FROM customers))", 'value'],
      ['SELECT * FROM jsonb_array_elements_text((SELECT jsonb_agg(api_token) FROM customers))', 'value'],
      ["SELECT a FROM jsonb_to_record((SELECT jsonb_build_object('a', api_token) FROM customers LIMIT 1)) AS r(a text)", 'a'],
      // Renames the table's columns by position: the third is email.
      ['SELECT e FROM customers AS c(i, n, e)', 'e'],
    ] as const) {
      assert.deepEqual(await masks(sql, [name]), [true], sql);
    }
  });

  it('fails closed on names the tree does not give: a function of unknown columns, a star in a set operation', async () => {
    // xml_rows' columns are not known: every output is masked.
    assert.deepEqual(await masks('SELECT id, whatever FROM orders, xpath_table_rows((SELECT string_agg(email, \',\') FROM customers)) f', ['id', 'whatever']), [true, true]);
    assert.deepEqual(await masks('SELECT id, n FROM (SELECT id, name AS n FROM orders UNION ALL SELECT * FROM customers) s', ['id', 'n']), [true, true]);
    // The later branch's star fills columns named by the first branch.
    assert.deepEqual(await masks('SELECT id, name FROM orders UNION ALL SELECT * FROM customers', ['id', 'name']), [true, true]);
    // Nothing masked in play: unnest and VALUES stay clear.
    assert.deepEqual(await masks('SELECT u, column1 FROM unnest(ARRAY[1, 2]) AS x(u), (VALUES (3)) v', ['u', 'column1']), [false, false]);
    assert.deepEqual(await masks('SELECT g FROM generate_series(1, 3) g', ['g']), [false]);
    assert.deepEqual(await masks("SELECT a FROM (SELECT 'x' AS a UNION ALL SELECT name FROM customers) s", ['a']), [false]);
    assert.deepEqual(await masks('SELECT greatest(id, 2) AS g, email FROM customers', ['g', 'email'], ['public.customers.email']), [false, true]);
  });

  it('fails closed where it cannot follow: unknown functions, FETCH, a table-wide spec', async () => {
    assert.deepEqual(await masks('SELECT id, my_decrypt(id) FROM customers', ['id', 'my_decrypt']), [false, true]);
    assert.deepEqual(await masks('DECLARE c CURSOR FOR SELECT email FROM customers; FETCH ALL FROM c', ['email']), [true]);
    assert.deepEqual(await masks('SELECT id, name FROM customers', ['id', 'name'], ['public.customers.*']), [true, true]);
  });

  it('leaves columns of other tables and unmasked columns alone', async () => {
    assert.deepEqual(await masks('SELECT id, name, upper(name) FROM customers', ['id', 'name', 'upper']), [false, false, false]);
    assert.deepEqual(await masks('SELECT id, total FROM orders', ['id', 'total']), [false, false]);
    // customers is not read: its email spec does not apply to another table's email.
    assert.deepEqual(await masks('SELECT email FROM newsletter', ['email']), [false]);
    assert.deepEqual(await masks('SELECT email FROM customers', ['email'], []), [false]);
  });
});

describe('lineage: personal columns without maskColumns', () => {
  it('masks what SQL derives from email, card and phone columns, and leaves them read as they are to the value detectors', async () => {
    assert.deepEqual(await masks('SELECT id, substr(card_number, 1, 8), email, email AS contact, reverse(email) FROM customers', ['id', 'substr', 'email', 'contact', 'reverse'], []), [false, true, false, true, true]);
    assert.deepEqual(await masks('SELECT * FROM customers', ['id', 'email', 'card_number'], []), [false, false, false]);
    assert.deepEqual(await masks('SELECT x FROM (SELECT left(phone, 4) AS x FROM customers) t', ['x'], []), [true]);
  });
});

describe('lineage: columns masked by their name alone, on a connection that lists none', () => {
  it('masks every whole-row form, since the row may hold such a column', async () => {
    for (const [sql, name] of [
      ['SELECT c FROM customers c', 'c'],
      ['SELECT customers FROM customers', 'customers'],
      ['SELECT row_to_json(c) FROM customers c', 'row_to_json'],
      ['SELECT to_jsonb(c)::text FROM customers c', 'to_jsonb'],
      ['SELECT c::text AS t FROM customers c', 't'],
      ['SELECT ROW(c.*)::text AS r FROM customers c', 'r'],
      ['SELECT s FROM (SELECT id, api_token FROM customers) s', 's'],
      ['DECLARE k CURSOR FOR SELECT c FROM customers c; FETCH ALL FROM k', 'c'],
    ] as const) {
      assert.deepEqual(await masks(sql, [name], []), [true], sql);
    }
  });

  it('masks what a star or a table renames by position, and what an unknown function returns', async () => {
    assert.deepEqual(await masks('SELECT t FROM customers AS c(i, n, e, k, t)', ['t'], []), [true]);
    assert.deepEqual(await masks('SELECT t FROM (SELECT * FROM customers) AS s(i, n, e, k, t)', ['t'], []), [true]);
    const names = ['id', 'customer_id', 'total', 'status', 'a', 'b'];
    assert.deepEqual(await masks('SELECT id, customer_id, total, status, 1, 2 FROM orders UNION ALL SELECT * FROM customers', names, []), names.map(() => true));
    assert.deepEqual(await masks("SELECT query_to_xml('SELECT api_token FROM customers', true, false, '')", ['query_to_xml'], []), [true]);
  });

  it("masks everything read from the planner's statistics, which sample every column", async () => {
    assert.deepEqual(await masks("SELECT attname, histogram_bounds::text AS h FROM pg_stats WHERE tablename = 'customers'", ['attname', 'h'], []), [true, true]);
    assert.deepEqual(await masks('SELECT most_common_vals FROM pg_catalog.pg_stats_ext', ['most_common_vals'], []), [true]);
  });

  it("judges columns read as they are, a star's included, by their names", async () => {
    assert.deepEqual(await masks('SELECT * FROM customers', ['id', 'name', 'api_token'], []), [false, false, true]);
    assert.deepEqual(await masks('SELECT c.id, c.name FROM customers c', ['id', 'name'], []), [false, false]);
  });
});

describe('lineage: whether a request reads masked values at all (its errors may quote them)', () => {
  const reads = async (sql: string, specs = SPECS) => {
    const statements = (await parseSql(sql)).map((s) => s.node);
    return readsMasked({ statements, tables: analyze(statements).resources, maskColumns: specs, sensitiveName: (name) => masker.json({ [name]: 'x' }, '$').findings.length > 0 });
  };

  it('is true for a masked column in any clause, and for code the tree does not show', async () => {
    for (const sql of ["SELECT replace(email, '@', ' at ')::int FROM customers", 'SELECT id FROM customers WHERE api_token::int = 1', 'SELECT id FROM customers c ORDER BY c', 'DO $$ BEGIN PERFORM 1; END $$']) {
      assert.equal(await reads(sql), true, sql);
    }
  });

  it('is true for a whole row, a column masked by name, the statistics and a write, whatever the connection lists', async () => {
    for (const sql of [
      'SELECT xmlparse(document api_token) FROM customers',
      'SELECT c::text::int FROM customers c',
      'SELECT x::int FROM (SELECT * FROM customers) s(a, x)',
      "SELECT histogram_bounds::text::int FROM pg_stats WHERE attname = 'id'",
      // Its constraint errors quote the failing row, every column of it.
      'UPDATE customers SET name = NULL WHERE id = 1',
      'WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING id) SELECT 1',
    ]) {
      assert.equal(await reads(sql, []), true, sql);
    }
  });

  it('is false for what reads no masked column', async () => {
    for (const sql of ['SELECT 1/0', 'SELECT id, total::int FROM orders', 'SELECT name FROM customers']) {
      assert.equal(await reads(sql), false, sql);
    }
    // A result's own star: its columns come out as they are, masked by name.
    assert.equal(await reads('SELECT * FROM customers WHERE id = 1/0', []), false);
  });
});
