// The executor's guard rails against a real PostgreSQL, below the gateway: what holds even if the
// classification were wrong or the policy allowed everything.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execute, SqlFailure, WATCHDOG_GRACE_MS, type Database, type Plan } from '../../../shared/connections/postgres/execute.js';
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
    assert.ok(elapsed >= 300 + 2 * WATCHDOG_GRACE_MS && elapsed < 300 + 2 * WATCHDOG_GRACE_MS + 2_000, `${elapsed} ms`);
    // The pool still serves requests on fresh connections.
    const [result] = await execute(db, plan(['SELECT 1']));
    assert.deepEqual(result!.rows, [['1']]);
    await shop.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'");
  });

  it('answers a connection failure as such', async () => {
    const nowhere = databaseFor('executor-nowhere', 'postgresql://agent:x@127.0.0.1:1/shop', { poolSize: 1, connectTimeoutMs: 2_000 });
    const failed = await failure(execute(nowhere, plan(['SELECT 1'])));
    assert.equal(failed.phase, 'connect');
  });
});
