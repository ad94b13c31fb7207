// The mysql connection end to end on a real MariaDB (Debian's server, started on a free loopback
// port): agents POST SQL to /api/sql/{connection}; the test checks what came back and, as root,
// what happened (or did not) in the database. Credential tiers run on real MariaDB logins: the
// reader has only SELECT, so a write a wrong rule lets through as a read fails at the server.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startMariadb, type LocalMariadb } from '../../../cli/dev/mariadb.js';
import { execute } from '../../../shared/connections/mysql/execute.js';
import type { SessionRecord } from '../../../shared/sessions/index.js';
import { needBinary } from '../../support/binaries.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  shop:
    kind: mysql
    dialect: mariadb
    credentials:
      read: { env: SHOP_READER }
      write: { env: SHOP_WRITER }
    groups: [agents]
    rowLimit: 2
    maskColumns: [created_at]
  shop-open:
    kind: mysql
    dialect: mariadb
    description: Everything allowed, to show the guard rails that policy cannot lift
    credential: { env: SHOP_WRITER }
    default: allow
    statementTimeoutMs: 500
    maxAffectedRows: 2
    reviewers: [dba]
  shop-strict:
    kind: mysql
    dialect: mariadb
    description: Tables named with or without their database are the same tables to rules
    database: shop
    credential: { env: SHOP_READER }
    default: allow
rules:
  - name: no-customers
    match: { connections: shop-strict, resources: shop.customers }
    action: deny
  - name: reads
    match: { connections: shop, flags: read-only }
    action: allow
  # Deliberately wrong: meant for report queries, it matches any SQL that mentions "reporting"
  # and runs it as a read.
  - name: reporting
    match: { connections: shop, body: "(?i)reporting" }
    action: allow
    tier: read
  - name: row-writes
    match: { connections: shop, actions: [INSERT, UPDATE, DELETE] }
    action: allow
  - name: no-ddl
    match: { connections: shop, flags: [ddl, file] }
    action: deny
  - name: review-unbounded-writes
    match: { connections: shop, flags: no-where }
    action: review
    review: { groups: [dba] }
`;

const SEED = [
  'CREATE DATABASE shop',
  `CREATE TABLE shop.customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL, email VARCHAR(100), card_number VARCHAR(30), api_token VARCHAR(60), created_at DATETIME DEFAULT '2024-01-02 03:04:05')`,
  'CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, status VARCHAR(20) NOT NULL DEFAULT \'open\')',
  `INSERT INTO shop.customers (name, email, card_number, api_token) VALUES
    ('Ada Lovelace', 'ada@example.com', '4111 1111 1111 1111', 'tok_live_ada_7f3a9c21'),
    ('Alan Turing', 'alan@example.org', '5555 5555 5555 4444', 'tok_live_alan_0b8e44d2'),
    ('Grace Hopper', 'grace@example.net', '3782 822463 10005', 'tok_live_grace_5d1e7f90')`,
  'INSERT INTO shop.orders (customer_id, total) VALUES (1, 10.50), (2, 99.99), (3, 5.00)',
  'CREATE TABLE shop.notes (id INT PRIMARY KEY AUTO_INCREMENT, body VARCHAR(100) NOT NULL)',
  'CREATE TABLE shop.order_notes (note_id INT NOT NULL, order_id INT NOT NULL)',
  // One note written is a row for every order: the statement says 1 row, the server wrote 4.
  'CREATE TRIGGER shop.note_every_order AFTER INSERT ON shop.notes FOR EACH ROW INSERT INTO shop.order_notes SELECT NEW.id, id FROM shop.orders',
  `CREATE FUNCTION shop.touch_customer(c INT) RETURNS INT MODIFIES SQL DATA BEGIN UPDATE shop.customers SET name = CONCAT(name, '!') WHERE id = c; RETURN c; END`,
];

const mariadb = await needBinary('mariadb');
let db: LocalMariadb;
let stack: TestStack;
let agent: string;
let auditor: string;
let readerUri: string;

before(async () => {
  if (mariadb.skip) return;
  db = await startMariadb();
  for (const statement of SEED) await db.query(statement);
  const [readerPassword, writerPassword] = [randomBytes(18).toString('base64url'), randomBytes(18).toString('base64url')];
  await db.query(`CREATE USER 'reader'@'%' IDENTIFIED BY '${readerPassword}'`);
  await db.query(`GRANT SELECT ON shop.* TO 'reader'@'%'`);
  await db.query(`CREATE USER 'writer'@'%' IDENTIFIED BY '${writerPassword}'`);
  await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON shop.* TO 'writer'@'%'`);
  readerUri = db.url('reader', readerPassword, 'shop');
  stack = await startTestStack({
    policy: POLICY,
    env: { SHOP_READER: db.url('reader', readerPassword, 'shop'), SHOP_WRITER: db.url('writer', writerPassword, 'shop') },
  });
  agent = await stack.token('agent-7', ['agents']);
  auditor = await stack.token('auditor-1', ['auditors']);
});

after(async () => {
  await stack?.stop();
  await db?.stop();
});

async function sql(connection: string, body: unknown) {
  const session = `mysql-e2e-${randomUUID()}`;
  const res = await fetch(`${stack.url}/api/sql/${connection}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json', 'x-portcullis-session': session },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, any>;
  const log = await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } });
  // A request refused before it was judged has no session log.
  const events = log.status === 200 ? ((await log.json()) as SessionRecord).events : [];
  return { status: res.status, body: answer, events, tier: events.find((e) => e.type === 'response' || e.type === 'error')?.details?.tier };
}

const orderStatus = async (id: number) => (await db.query<{ status: string }>('SELECT status FROM shop.orders WHERE id = ?', [id]))[0]!.status;
const customerName = async (id: number) => (await db.query<{ name: string }>('SELECT name FROM shop.customers WHERE id = ?', [id]))[0]!.name;

describe('mysql e2e on MariaDB: reads', { skip: mariadb.skip }, () => {
  it('returns rows masked, cut at the row limit, read with the read login', async () => {
    const answer = await sql('shop', { sql: 'SELECT id, name, email, card_number, api_token, created_at FROM customers ORDER BY id' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.tier, 'read');
    const { columns, rows, rowCount, truncated } = answer.body;
    assert.deepEqual(columns.map((c: { name: string }) => c.name), ['id', 'name', 'email', 'card_number', 'api_token', 'created_at']);
    assert.equal(truncated, true);
    assert.equal(rowCount, 2);
    assert.deepEqual(rows[0], {
      id: 1,
      name: 'Ada Lovelace',
      email: '[MASKED:pii-email]',
      card_number: '[MASKED:pii-card]',
      api_token: '[MASKED:sensitive-key]',
      created_at: '[MASKED:mask-column]',
    });
    for (const secret of ['ada@example.com', '4111 1111 1111 1111', 'tok_live_']) assert.ok(!JSON.stringify(answer.body).includes(secret), `${secret} leaked`);
  });

  it('binds params apart from the SQL', async () => {
    const answer = await sql('shop', { sql: 'SELECT name FROM customers WHERE id = ?', params: [2] });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.rows, [{ name: 'Alan Turing' }]);
    const injected = await sql('shop', { sql: 'SELECT name FROM customers WHERE name = ?', params: ["x' OR '1'='1"] });
    assert.deepEqual(injected.body.rows, []);
  });
});

describe('mysql e2e on MariaDB: writes and what the classifier flags', { skip: mariadb.skip }, () => {
  it('runs a bounded update with the write login', async () => {
    const answer = await sql('shop', { sql: "UPDATE orders SET status = 'shipped' WHERE id = 2" });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.rowCount, 1);
    assert.equal(answer.tier, 'write');
    assert.equal(await orderStatus(2), 'shipped');
  });

  it('holds updates without WHERE, or with a WHERE that is always true, for review', async () => {
    for (const where of ['', ' WHERE 1=1', ' WHERE id = id', " WHERE id = 3 OR 'a' = 'a'"]) {
      const answer = await sql('shop', { sql: `UPDATE orders SET status = 'lost'${where}` });
      assert.equal(answer.status, 202, `${where}: ${JSON.stringify(answer.body)}`);
      const decision = answer.events.find((e) => e.type === 'decision');
      assert.equal(decision?.decision?.rule, 'review-unbounded-writes');
    }
    assert.notEqual(await orderStatus(3), 'lost');
  });

  it('denies DDL and server files', async () => {
    for (const text of ['DROP TABLE orders', "SELECT * INTO OUTFILE '/tmp/portcullis-out' FROM customers", 'GRANT ALL ON *.* TO reader']) {
      const answer = await sql('shop', { sql: text });
      assert.equal(answer.status, 403, text);
      assert.equal(answer.body.rule, 'no-ddl');
    }
    assert.equal((await db.query('SHOW TABLES FROM shop')).length, 4);
  });

  it("keeps a password in SQL out of the log, and the server's hash of one out of an answer", async () => {
    const password = `${randomBytes(12).toString('base64url')}!`;
    const denied = await sql('shop', { sql: `CREATE USER 'intruder'@'%' IDENTIFIED BY '${password}'` });
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    const logged = JSON.stringify(denied.events);
    assert.ok(logged.includes('[MASKED:sql-password]'), logged);
    assert.ok(!logged.includes(password) && !JSON.stringify(denied.body).includes(password));
    // MariaDB prints the login's mysql_native_password hash in its grants.
    const grants = await sql('shop-open', { sql: 'SHOW GRANTS' });
    assert.equal(grants.status, 200, JSON.stringify(grants.body));
    const [hash] = (await db.query<{ h: string }>("SELECT authentication_string AS h FROM mysql.user WHERE user = 'writer'")).map((r) => r.h);
    assert.match(hash!, /^\*[0-9A-F]{40}$/);
    const answered = JSON.stringify(grants.body);
    assert.ok(!answered.includes(hash!.slice(1)), answered);
    assert.ok(answered.includes('[MASKED:password-hash]'), answered);
  });

  it('refuses several statements, transaction control, and what the grammar cannot parse', async () => {
    const several = await sql('shop', { sql: 'SELECT 1; DELETE FROM orders' });
    assert.equal(several.status, 400);
    assert.equal(several.body.type, 'urn:portcullis:problem:sql-unsupported');
    assert.equal((await sql('shop', { sql: 'COMMIT' })).body.type, 'urn:portcullis:problem:sql-unsupported');
    // The server runs an executable comment; the grammar would take it for a comment.
    for (const text of ['SELECT id FROM orders WHERE id = 1 /*! OR 1=1 */', 'HANDLER orders OPEN', 'SELEC nonsense']) {
      const answer = await sql('shop', { sql: text });
      assert.equal(answer.status, 400, text);
      assert.equal(answer.body.type, 'urn:portcullis:problem:sql-unparsable', text);
    }
  });
});

describe('mysql e2e on MariaDB: what runs is what was judged', { skip: mariadb.skip }, () => {
  it('refuses "--" without a space, which the server reads as two minus signs and the grammar as a comment', async () => {
    for (const text of ['DELETE FROM orders WHERE id = 1 --1 OR 1=1', 'SELECT 1 --1, name FROM customers']) {
      const answer = await sql('shop', { sql: text });
      assert.equal(answer.status, 400, `${text}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.type, 'urn:portcullis:problem:sql-unparsable');
    }
    assert.equal((await db.query('SELECT id FROM shop.orders')).length, 3);
  });

  it('ends comments where the server does: a table after \\r is still read', async () => {
    const answer = await sql('shop-strict', { sql: "SELECT 1 -- x\r' \n, name FROM customers -- '" });
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.equal(answer.body.rule, 'no-customers');
  });

  it("judges a table named without its database as the connection's database's", async () => {
    for (const text of ['SELECT name FROM customers', 'SELECT name FROM shop.customers']) {
      const answer = await sql('shop-strict', { sql: text });
      assert.equal(answer.status, 403, `${text}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.rule, 'no-customers');
    }
    assert.equal((await sql('shop-strict', { sql: 'SELECT id FROM orders WHERE id = 1' })).status, 200);
  });

  it('reads quotes as the classifier did, whatever sql_mode the server defaults to', async () => {
    const [{ mode }] = await db.query<{ mode: string }>('SELECT @@GLOBAL.sql_mode AS mode');
    await db.query("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',ANSI_QUOTES,NO_BACKSLASH_ESCAPES')");
    try {
      // Under ANSI_QUOTES "id" would be the column and every row would change.
      const answer = await sql('shop', { sql: 'UPDATE orders SET status = \'z\' WHERE id = "id"' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.rowCount, 0);
      for (const id of [1, 2, 3]) assert.notEqual(await orderStatus(id), 'z');
      const modes = await sql('shop', { sql: 'SELECT @@sql_mode AS m' });
      assert.doesNotMatch(String(modes.body.rows[0].m), /ANSI_QUOTES|NO_BACKSLASH_ESCAPES/);
    } finally {
      await db.query(`SET GLOBAL sql_mode = '${mode}'`);
    }
  });

  it('masks what a statement computes or renames from a masked column', async () => {
    const answer = await sql('shop', { sql: "SELECT id, api_token AS t, replace(email, '@', ' at ') AS e, concat(created_at) AS c FROM customers ORDER BY id" });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.rows[0], { id: 1, t: '[MASKED:mask-column]', e: '[MASKED:mask-column]', c: '[MASKED:mask-column]' });
    for (const secret of ['tok_live_', 'example.com', '2024-01-02']) assert.ok(!JSON.stringify(answer.body).includes(secret), `${secret} leaked`);
  });
});

describe('mysql e2e on MariaDB: guard rails a policy cannot lift', { skip: mariadb.skip }, () => {
  it('runs a read in a READ ONLY transaction, which stops a function that writes', async () => {
    const before = await customerName(1);
    const answer = await sql('shop-open', { sql: 'SELECT touch_customer(1) AS touched' });
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.equal(answer.body.type, 'urn:portcullis:problem:read-only-violation');
    assert.equal(await customerName(1), before);
  });

  it('keeps rows only up to its byte budget, and says the result was cut', async () => {
    const plan = (sql: string, maxBytes: number) =>
      ({ sql, params: [], readOnly: true, command: 'SELECT', rowLimit: 100, maxBytes, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    const cut = await execute(readerUri, plan("SELECT REPEAT('ab', 1000000) AS a FROM seq_1_to_5", 5_000_000));
    assert.deepEqual([cut.rows.length, cut.truncated, cut.rowCount], [2, true, 2]);
    const fits = await execute(readerUri, plan("SELECT REPEAT('ab', 1000000) AS a FROM seq_1_to_2", 4_000_000));
    assert.deepEqual([fits.rows.length, fits.truncated, fits.rowCount], [2, false, 2]);
  });

  it('stops a statement at the time limit', async () => {
    const answer = await sql('shop-open', { sql: 'SELECT SLEEP(5) AS slept' });
    assert.equal(answer.status, 504, JSON.stringify(answer.body));
    assert.equal(answer.body.type, 'urn:portcullis:problem:sql-timeout');
  });

  it('rolls back a write over maxAffectedRows and holds it, recorded with the count; approved, it runs in full', async () => {
    const held = await sql('shop-open', { sql: "UPDATE orders SET status = 'void' WHERE id > 0" });
    assert.equal(held.status, 202, JSON.stringify(held.body));
    assert.equal(held.body.status, 'pending');
    for (const id of [1, 2, 3]) assert.notEqual(await orderStatus(id), 'void', 'rolled back');
    const decision = held.events.find((e) => e.type === 'decision' && e.decision?.rule === 'max-affected-rows');
    assert.ok(decision, 'the hold is recorded');
    assert.equal(decision.decision!.action, 'review');
    assert.deepEqual(decision.details, { affectedRows: 3, maxAffectedRows: 2 });
    assert.ok(held.events.some((e) => e.type === 'approval.requested'));

    const answer = await approve(String(held.body.id));
    assert.equal(answer.rowCount, 3);
    for (const id of [1, 2, 3]) assert.equal(await orderStatus(id), 'void', 'the approved write ran over the limit');
  });

  it('counts the rows a trigger writes', async () => {
    const notes = async () => (await db.query<{ n: number }>('SELECT count(*) AS n FROM shop.order_notes'))[0]!.n;
    const before = await notes();
    const held = await sql('shop-open', { sql: "INSERT INTO notes (body) VALUES ('inventory')" });
    assert.equal(held.status, 202, JSON.stringify(held.body));
    const decision = held.events.find((e) => e.decision?.rule === 'max-affected-rows');
    assert.deepEqual(decision?.details, { affectedRows: 4, maxAffectedRows: 2 });
    assert.equal(await notes(), before);
    assert.equal((await db.query('SELECT id FROM shop.notes')).length, 0);
  });

  it('runs a write within maxAffectedRows at once', async () => {
    const answer = await sql('shop-open', { sql: "UPDATE orders SET status = 'open' WHERE id IN (1, 2)" });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.rowCount, 2);
    assert.equal(await orderStatus(2), 'open');
  });
});

/** Approves as a dba, then waits for the agent's answer to the approved request. */
async function approve(id: string): Promise<Record<string, any>> {
  const dba = await stack.token('dba-1', ['dba']);
  const decided = await fetch(`${stack.url}/api/approvals/${id}/decision`, {
    method: 'POST',
    headers: { authorization: `Bearer ${dba}`, 'content-type': 'application/json' },
    body: JSON.stringify({ decision: 'approve', reason: 'year-end clean-up' }),
  });
  assert.equal(decided.status, 200, await decided.text());
  const done = await fetch(`${stack.url}/api/approvals/${id}`, { headers: { authorization: `Bearer ${agent}`, prefer: 'wait=30' } });
  assert.equal(done.status, 200, await done.clone().text());
  return (await done.json()) as Record<string, any>;
}

describe('mysql e2e on MariaDB: credential tiers, defence in depth', { skip: mariadb.skip }, () => {
  it('refuses at the server a write that a wrong rule let through as a read', async () => {
    const before = await orderStatus(1);
    const answer = await sql('shop', { sql: "UPDATE orders SET status = 'refunded' WHERE id = 1 -- reporting" });
    const decision = answer.events.find((e) => e.type === 'decision');
    assert.deepEqual([decision?.decision?.action, decision?.decision?.rule], ['allow', 'reporting'], 'the guard let it through');
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.errno, 1142, 'UPDATE command denied to the read login');
    assert.equal(answer.tier, 'read');
    assert.equal(await orderStatus(1), before);
  });
});

describe('mysql e2e on MariaDB: errors that could quote a masked value', { skip: mariadb.skip }, () => {
  // Plain-looking values no detector recognises: only the column names say they are secret
  // (api_token by its name, created_at by the connection's maskColumns).
  const [token, stamp] = [`tok${randomBytes(8).toString('hex')}`, `ts${randomBytes(8).toString('hex')}`];

  before(async () => {
    if (mariadb.skip) return;
    await db.query('CREATE TABLE shop.vault (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, api_token VARCHAR(60), created_at VARCHAR(60), UNIQUE KEY name_token (name, api_token))');
    await db.query("INSERT INTO shop.vault VALUES (1, 'a', ?, ?), (2, 'b', ?, ?)", [token, stamp, token, stamp]);
  });

  for (const [what, statement, errno] of [
    ["EXTRACTVALUE's XPath error", 'SELECT EXTRACTVALUE(1, CONCAT(0x7e, (SELECT api_token FROM vault LIMIT 1))) AS x', 1105],
    ["EXTRACTVALUE's XPath error on a maskColumns column", 'SELECT EXTRACTVALUE(1, CONCAT(0x7e, (SELECT created_at FROM vault LIMIT 1))) AS x', 1105],
    ["GROUP BY RAND's duplicate entry", 'SELECT COUNT(*), CONCAT((SELECT api_token FROM vault LIMIT 1), FLOOR(RAND(0) * 2)) AS x FROM information_schema.columns GROUP BY x', 1062],
    // The key is over a column the statement does not name.
    ["a write's duplicate entry", "UPDATE vault SET name = 'b' WHERE id = 1", 1062],
  ] as const) {
    it(`withholds the message of ${what}, in the answer and the log`, async () => {
      const answer = await sql('shop', { sql: statement });
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.errno, errno);
      assert.match(answer.body.detail, /message is withheld/);
      for (const secret of [token, stamp]) {
        assert.ok(!JSON.stringify(answer.body).includes(secret), `${secret} in the answer`);
        assert.ok(!JSON.stringify(answer.events).includes(secret), `${secret} in the session log`);
      }
    });
  }

  it('keeps the message of a read that names no masked column', async () => {
    const answer = await sql('shop', { sql: 'SELECT id FROM no_such_table' });
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.match(answer.body.detail, /no_such_table/);
  });
});
