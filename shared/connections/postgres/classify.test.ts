import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../../platform/problem.js';
import type { AgentRequest } from '../kind.js';
import { prepareSql, toOperation } from './classify.js';
import { postgresConnectionSchema } from './schema.js';

const connection = postgresConnectionSchema.parse({ kind: 'postgres', credential: { env: 'SHOP_DB_URL' } });

function request(body: unknown, headers: Record<string, string> = {}): AgentRequest {
  const bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    method: 'POST',
    headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer agent-token', ...headers }),
    body: { bytes, length: bytes.byteLength },
  };
}

async function operation(body: unknown) {
  const req = request(body);
  return toOperation(await prepareSql(req), req, connection);
}

async function refusal(body: unknown): Promise<Refusal> {
  const error = await prepareSql(request(body)).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof Refusal, `expected a refusal, got ${String(error)}`);
  return error;
}

describe('postgres classify: the Operation', () => {
  it('describes a SELECT in PostgreSQL terms', async () => {
    const op = await operation({ sql: 'SELECT email FROM customers WHERE id = $1', params: [1] });
    assert.equal(op.kind, 'postgres');
    assert.equal(op.method, 'SQL');
    assert.equal(op.path, '');
    assert.deepEqual(op.actions, ['SelectStmt']);
    assert.deepEqual(op.resources, ['public.customers']);
    assert.deepEqual(op.flags, ['read-only']);
    assert.equal(op.text, 'SELECT email FROM customers WHERE id = $1');
    assert.equal(op.summary, 'sql SelectStmt on public.customers (read-only)');
    assert.deepEqual(op.details, { statements: 1, params: 1, readOnly: true, rowLimit: 1000, statementTimeoutMs: 15000 });
  });

  it('summarizes a risky statement with its flags', async () => {
    const op = await operation({ sql: 'DELETE FROM orders' });
    assert.equal(op.summary, 'sql DeleteStmt on public.orders (write, no-where)');
  });

  it('summarizes several statements and counts tables beyond the first five', async () => {
    const op = await operation({ sql: 'SELECT * FROM a, b, c; SELECT * FROM d, e, f, g' });
    assert.equal(op.summary, 'sql SelectStmt on public.a, public.b, public.c, public.d, public.e and 2 more (read-only, multi-statement)');
  });

  it('keeps the agent\'s headers for rules, without its credentials', async () => {
    const op = await operation({ sql: 'SELECT 1' });
    assert.equal(op.headers['content-type'], 'application/json');
    assert.equal(op.headers.authorization, undefined);
  });
});

describe('postgres classify: refusals', () => {
  it('refuses a body that is not JSON', async () => {
    const r = await refusal('SELECT 1');
    assert.equal(r.status, 400);
    assert.equal(r.type, 'invalid-sql-request');
  });

  it('refuses a body without sql, with unknown fields, or with params of the wrong types', async () => {
    for (const body of [{}, { sql: '' }, { sql: 'SELECT 1', extra: true }, { sql: 'SELECT $1', params: [{ a: 1 }] }, { sql: 'SELECT $1', params: 'x' }, []]) {
      const r = await refusal(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.type, 'invalid-sql-request');
    }
  });

  it('accepts strings, numbers, booleans and nulls as params', async () => {
    const prepared = await prepareSql(request({ sql: 'SELECT $1, $2, $3, $4', params: ['a', 1.5, true, null] }));
    assert.deepEqual(prepared.params, ['a', 1.5, true, null]);
  });

  it('refuses SQL that does not parse, with the parser\'s message and position', async () => {
    const r = await refusal({ sql: 'SELECT * FORM customers' });
    assert.equal(r.status, 400);
    assert.equal(r.type, 'sql-syntax');
    assert.equal(r.detail, 'syntax error at or near "FORM" (at character 10)');
    assert.equal(r.extensions.position, 10);
  });

  it('counts the position in characters, not bytes', async () => {
    const r = await refusal({ sql: "SELECT 'één' frm t" });
    assert.equal(r.extensions.position, 18);
  });

  it('refuses a request with only comments or semicolons', async () => {
    for (const sql of [';', '-- nothing', ' ; ; ']) assert.equal((await refusal({ sql })).type, 'sql-empty');
  });

  it('refuses params with more than one statement', async () => {
    const r = await refusal({ sql: 'SELECT $1; SELECT 2', params: [1] });
    assert.equal(r.type, 'sql-unsupported');
  });

  it('refuses statements that would end the gateway\'s transaction', async () => {
    for (const sql of ['BEGIN', 'SELECT 1; COMMIT; DELETE FROM orders', 'ROLLBACK', "PREPARE TRANSACTION 'x'"]) {
      const r = await refusal({ sql });
      assert.equal(r.type, 'sql-unsupported', sql);
      assert.match(r.detail, /one transaction/);
    }
  });

  it('refuses COPY through STDIN or STDOUT', async () => {
    for (const sql of ['COPY customers TO STDOUT', 'COPY orders FROM STDIN']) assert.equal((await refusal({ sql })).type, 'sql-unsupported');
  });
});

describe('postgres classify: statements', () => {
  it('splits a multi-statement request into each statement\'s own text and offset', async () => {
    const prepared = await prepareSql(request({ sql: "SELECT 'é';  /* two */ SELECT 2 ;\nSELECT 3" }));
    assert.deepEqual(
      prepared.statements.map((s) => [s.text, s.offset]),
      [["SELECT 'é'", 0], ['SELECT 2', 23], ['SELECT 3', 34]],
    );
  });
});
