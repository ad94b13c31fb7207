// The executor's guard rails against a real PostgreSQL, below the gateway: what holds even if the
// classification were wrong or the policy allowed everything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execute, ReadingChanged, SqlFailure, WATCHDOG_GRACE_MS, type Database, type Plan } from '../../../shared/connections/postgres/execute.js';
import { closePools, databaseFor } from '../../../shared/connections/postgres/pools.js';
import { needBinary } from '../../support/binaries.js';
import { startShop, type Shop } from './shop.js';

let shop: Shop;
let db: Database;

const postgres = await needBinary('postgres');

before(async () => {
  if (postgres.skip) return;
  shop = await startShop();
  db = databaseFor('executor-test', shop.agent, { poolSize: 2, connectTimeoutMs: 5_000 });
});

after(async () => {
  await closePools();
  await shop?.stop();
});

const plan = (statements: string[], overrides: Partial<Plan> = {}): Plan => ({
  statements: statements.map((text) => ({ text })),
  params: [],
  readOnly: false,
  rowLimit: 100,
  maxBytes: 10 * 1024 * 1024,
  statementTimeoutMs: 2_000,
  ...overrides,
});

async function failure(promise: Promise<unknown>): Promise<SqlFailure> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof SqlFailure, `expected a SqlFailure, got ${String(error)}`);
  return error;
}

describe('postgres executor', { skip: postgres.skip }, () => {
  it('keeps a request marked read-only read-only, even if its SQL asks for READ WRITE first', async () => {
    const failed = await failure(execute(db, plan(['SET TRANSACTION READ WRITE', "UPDATE customers SET name = 'x'"], { readOnly: true })));
    assert.equal(failed.statement, 0);
    assert.equal((failed.error as { code?: string }).code, '25001');
    assert.equal((await shop.query('SELECT name FROM customers WHERE id = 1'))[0]!.name, 'Ada Lovelace');
  });

  it('reads only the rows it returns, not the whole result', async () => {
    // Row 7 divides by zero: reading it, or any row past the one that shows the cut, fails the statement.
    const sql = 'SELECT CASE WHEN n <= 6 THEN n ELSE n / (n - n) END AS n FROM (SELECT generate_series(1, 500000000) AS n) AS s';
    const [result] = await execute(db, plan([sql], { rowLimit: 5 }));
    assert.deepEqual(result!.rows, [['1'], ['2'], ['3'], ['4'], ['5']]);
    assert.equal(result!.truncated, true);
    // The same statement read to its seventh row does fail: the test can tell.
    const failed = await failure(execute(db, plan([sql], { rowLimit: 6 })));
    assert.equal((failed.error as { code?: string }).code, '22012');
  });

  it('goes on to the next statement after cutting one short', async () => {
    const results = await execute(db, plan(['SELECT generate_series(1, 1000) AS n', "SELECT 'after' AS s"], { rowLimit: 3 }));
    assert.deepEqual(results.map((r) => [r.rows.length, r.truncated]), [[3, true], [1, false]]);
  });

  it('keeps rows only up to its byte budget, and says the result was cut', async () => {
    // A time limit no busy machine reaches: the cut is what is tested, not the timeout.
    const [result] = await execute(db, plan(["SELECT repeat('ab', 1000000) AS a FROM generate_series(1, 5)"], { maxBytes: 5_000_000, statementTimeoutMs: 60_000 }));
    assert.equal(result!.rows.length, 2);
    assert.equal(result!.truncated, true);
    assert.equal(result!.rowCount, 2);
    const [fits] = await execute(db, plan(["SELECT repeat('ab', 1000000) AS a FROM generate_series(1, 2)"], { maxBytes: 4_000_000, statementTimeoutMs: 60_000 }));
    assert.deepEqual([fits!.rows.length, fits!.truncated], [2, false]);
  });

  it('does not flag a result that fits the limit exactly', async () => {
    const [result] = await execute(db, plan(['SELECT generate_series(1, 5) AS n'], { rowLimit: 5 }));
    assert.equal(result!.rows.length, 5);
    assert.equal(result!.truncated, false);
    assert.equal(result!.rowCount, 5);
  });

  it('binds params as values', async () => {
    const hostile = "'; DROP TABLE customers; --";
    const [result] = await execute(db, plan(['SELECT $1::text AS v, $2::int + 1 AS n, $3::bool AS b, $4::text AS z'], { params: [hostile, 41, true, null] }));
    assert.deepEqual(result!.rows, [[hostile, '42', 't', null]]);
  });

  it('gives up on a statement it cannot cancel, and closes its connection', async () => {
    // A Database whose cancel connection cannot be opened: the statement keeps running.
    const stubborn: Database = { pool: db.pool, connect: () => Promise.reject(new Error('no cancel for you')) };
    const started = Date.now();
    const failed = await failure(execute(stubborn, plan(['SET LOCAL statement_timeout = 0', 'SELECT pg_sleep(60)'], { statementTimeoutMs: 300 })));
    const elapsed = Date.now() - started;
    assert.equal(failed.timedOut, true);
    assert.equal(failed.statement, 1);
    // Nor terminate: the answer must not say the transaction was rolled back.
    assert.equal(failed.stopped, false);
    assert.ok(elapsed >= 300 + 2 * WATCHDOG_GRACE_MS && elapsed < 300 + 2 * WATCHDOG_GRACE_MS + 2_000, `${elapsed} ms`);
    // The pool still serves requests on fresh connections.
    const [result] = await execute(db, plan(['SELECT 1']));
    assert.deepEqual(result!.rows, [['1']]);
    await shop.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'");
  });

  it('terminates a statement that outlives its cancel, so that its transaction and locks end with the answer', async () => {
    // The block catches the cancel and goes on, holding the row lock of its UPDATE.
    const stubborn = 'DO $$BEGIN UPDATE orders SET status = status WHERE id = 1; LOOP BEGIN PERFORM pg_catalog.pg_sleep(0.1); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END$$';
    const failed = await failure(execute(db, plan([stubborn], { statementTimeoutMs: 300 })));
    assert.equal(failed.timedOut, true);
    assert.equal(failed.stopped, true);
    assert.deepEqual(await shop.query("SELECT pid FROM pg_stat_activity WHERE query LIKE 'DO $$BEGIN UPDATE orders%'"), []);
    // The row is free: NOWAIT would fail on a held lock.
    assert.deepEqual(await shop.query('SELECT id FROM orders WHERE id = 1 FOR UPDATE NOWAIT'), [{ id: 1 }]);
  });

  it('reads strings as the parser did, whatever standard_conforming_strings the session starts with', async () => {
    // Off, `'a\'` ends at the next quote and the subquery runs; on, it is all strings and a comment.
    const url = new URL(shop.agent);
    url.searchParams.set('options', '-c standard_conforming_strings=off');
    const off = databaseFor('executor-scs-off', url.toString(), { poolSize: 1, connectTimeoutMs: 5_000 });
    const [result] = await execute(off, plan(["SELECT 'a\\', ' , (SELECT array_agg(name) FROM customers) AS n, ' -- '"]));
    assert.deepEqual(result!.rows, [['a\\', ' , (SELECT array_agg(name) FROM customers) AS n, ']]);
  });

  it('runs no statement after one that changes how the server reads strings or bytes', async () => {
    for (const change of ['SET standard_conforming_strings = off', "SET LOCAL client_encoding = 'SJIS'"]) {
      const error = await execute(db, plan([change, "SELECT 'a\\', ' , 1 AS n, ' -- '"])).catch((e: unknown) => e);
      assert.ok(error instanceof ReadingChanged, `${change}: ${String(error)}`);
      assert.equal(error.statement, 1);
    }
    // The next request on the pool reads strings as before.
    const [result] = await execute(db, plan(["SELECT 'a\\' AS s"]));
    assert.deepEqual(result!.rows, [['a\\']]);
  });

  it('answers a connection failure as such', async () => {
    const nowhere = databaseFor('executor-nowhere', 'postgresql://agent:x@127.0.0.1:1/shop', { poolSize: 1, connectTimeoutMs: 2_000 });
    const failed = await failure(execute(nowhere, plan(['SELECT 1'])));
    assert.equal(failed.phase, 'connect');
  });
});
