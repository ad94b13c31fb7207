import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentRequest } from '../connections/kind.js';
import type { Principal } from '../identity/index.js';
import { InspectionBudget, InspectionBudgetExceeded } from '../masking/index.js';
import type { NamedConnection, Policy } from '../policy/compile.js';
import { loadPolicy } from '../policy/load.js';
import { classifyAndDecide } from './judge.js';

const PATTERNS = ['(?i)printenv', '(?i)b[0-9]+c', '(?i)(drop|truncate)\\s+table', '(?i)rm\\s+-rf', '(?i)curl\\s+\\S+\\|\\s*sh', '(?i)id_rsa'];

function policy(): Policy {
  const rules = PATTERNS.map((body, i) => `  - { name: r${i}, match: { connections: api, body: ${JSON.stringify(body)} }, action: deny }`).join('\n');
  const result = loadPolicy(
    `version: 1
issuers:
  - { issuer: "https://issuer.example", audience: portcullis, jwksUri: "https://issuer.example/jwks" }
connections:
  api: { kind: http, upstream: "https://api.example" }
rules:
${rules}
  - { name: ok, match: { connections: api }, action: allow }`,
    { env: 'production', variables: {} },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policy;
}

const principal: Principal = { subject: 'agent-1', issuer: 'https://issuer.example', groups: ['agents'], claims: {}, kind: 'workload' };

function post(text: string, p: Policy): { request: AgentRequest; connection: NamedConnection } {
  const connection = p.connections.get('api')!;
  const bytes = new TextEncoder().encode(text);
  const url = new URL('https://api.example/upload');
  return {
    connection,
    request: { method: 'POST', target: { path: '/upload', search: '', url }, headers: new Headers({ 'content-type': 'text/plain' }), body: { bytes, length: bytes.byteLength } },
  };
}

/** Counts the turns of the event loop that other work got while `work` ran. */
async function turnsDuring<T>(work: Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = () => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await work.finally(() => (done = true));
  return { value, turns };
}

describe('classifyAndDecide within an inspection budget', () => {
  const p = policy();
  const long = 'lorem ipsum dolor '.repeat(200_000);

  it('matches a long text against the policy one pattern per turn of the event loop', async () => {
    const { request, connection } = post(long, p);
    const { value, turns } = await turnsDuring(classifyAndDecide(request, principal, connection, p, new InspectionBudget(600_000)));
    assert.equal(value.decision.action, 'allow');
    assert.ok(turns >= PATTERNS.length, `other work got ${turns} turns while ${PATTERNS.length} patterns ran`);
  });

  it('decides as without a budget, a match included', async () => {
    const { request, connection } = post(`${long} then printenv`, p);
    const budgeted = await classifyAndDecide(request, principal, connection, p, new InspectionBudget(600_000));
    const plain = await classifyAndDecide(request, principal, connection, p);
    assert.equal(budgeted.decision.action, 'deny');
    assert.equal(budgeted.decision.rule, 'r0');
    assert.deepEqual(budgeted.decision, plain.decision);
  });

  it('stops once the budget is spent, before the request is decided', async () => {
    const { request, connection } = post(long, p);
    await assert.rejects(classifyAndDecide(request, principal, connection, p, new InspectionBudget(1)), InspectionBudgetExceeded);
  });

  it('charges nothing extra for a short text and decides it', async () => {
    const { request, connection } = post('please printenv', p);
    const { decision } = await classifyAndDecide(request, principal, connection, p, new InspectionBudget(600_000));
    assert.equal(decision.rule, 'r0');
  });
});
