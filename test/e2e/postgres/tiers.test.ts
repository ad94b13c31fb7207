// Credential tiers on a real PostgreSQL: defence in depth. The shop connection reads with a login
// that has only SELECT and writes with one that may change rows. A deliberately wrong rule lets an
// UPDATE through as a read; the gateway runs it with the read login, and PostgreSQL refuses it,
// although the guard allowed it and the statement is not in a READ ONLY transaction.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { closePools } from '../../../shared/connections/postgres/pools.js';
import type { SessionRecord } from '../../../shared/sessions/index.js';
import { needBinary } from '../../support/binaries.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';
import { startShop, type Shop } from './shop.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  shop:
    kind: postgres
    credentials:
      read: { env: SHOP_READER_URL }
      write: { env: SHOP_WRITER_URL }
    groups: [agents]
rules:
  - name: reads
    match: { connections: shop, flags: read-only }
    action: allow
  # Deliberately wrong: meant for report queries, it matches any SQL that mentions "reporting"
  # and runs it as a read.
  - name: reporting
    match: { connections: shop, body: "(?i)reporting" }
    action: allow
    tier: read
  - name: order-updates
    match: { connections: shop, actions: UpdateStmt, resources: public.orders }
    action: allow
`;

const postgres = await needBinary('postgres');
let shop: Shop;
let stack: TestStack;
let agent: string;
let auditor: string;

before(async () => {
  if (postgres.skip) return;
  shop = await startShop();
  const password = randomBytes(18).toString('base64url');
  await shop.query(`CREATE ROLE reader LOGIN PASSWORD '${password}'`);
  await shop.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
  const reader = new URL(shop.agent);
  reader.username = 'reader';
  reader.password = password;
  stack = await startTestStack({ policy: POLICY, env: { SHOP_READER_URL: reader.toString(), SHOP_WRITER_URL: shop.agent } });
  agent = await stack.token('agent-7', ['agents']);
  auditor = await stack.token('auditor-1', ['auditors']);
});

after(async () => {
  await stack?.stop();
  await closePools();
  await shop?.stop();
});

async function sql(text: string) {
  const session = `pg-tiers-${randomUUID()}`;
  const res = await fetch(`${stack.url}/api/sql/shop`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json', 'x-portcullis-session': session },
    body: JSON.stringify({ sql: text }),
  });
  const body = (await res.json()) as Record<string, any>;
  const log = await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } });
  const events = ((await log.json()) as SessionRecord).events;
  const tier = events.find((e) => e.type === 'response' || e.type === 'error')?.details?.tier;
  return { status: res.status, body, tier, events };
}

const orderStatus = async (id: number) => (await shop.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [id]))[0]!.status;

describe('postgres credential tiers: defence in depth', { skip: postgres.skip }, () => {
  it('reads with the read login', async () => {
    const answer = await sql('SELECT id, status FROM orders ORDER BY id');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.tier, 'read');
  });

  it('refuses at the database a write that a wrong rule let through as a read', async () => {
    const before = await orderStatus(1);
    const answer = await sql(`UPDATE orders SET status = 'refunded' WHERE id = 1 -- reporting`);
    const decision = answer.events.find((e) => e.type === 'decision');
    assert.deepEqual([decision?.decision?.action, decision?.decision?.rule], ['allow', 'reporting'], 'the guard let it through');
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.sqlstate, '42501', 'permission denied: the read login cannot write');
    assert.equal(answer.tier, 'read');
    assert.equal(await orderStatus(1), before, 'nothing changed');
  });

  it('runs the same write with the write login when a rule allows it as a write', async () => {
    const answer = await sql(`UPDATE orders SET status = 'refunded' WHERE id = 1`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.tier, 'write');
    assert.equal(await orderStatus(1), 'refunded');
  });
});
