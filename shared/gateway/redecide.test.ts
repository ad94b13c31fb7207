import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../connections/operation.js';
import { partsText } from '../connections/rule-text.js';
import type { Principal } from '../identity/index.js';
import { createMasker } from '../masking/index.js';
import { secretSamples } from '../../test/support/masking.js';
import type { Policy } from '../policy/compile.js';
import { loadPolicy } from '../policy/load.js';
import { sessionEventSchema } from '../sessions/index.js';
import { decisionInputs, eventBase } from './events.js';
import { redecide, type DecisionEvent } from './redecide.js';

function policy(rules: string, connections = 'api: { kind: http, upstream: "https://api.example" }'): Policy {
  const result = loadPolicy(
    `version: 1
issuers:
  - { issuer: "https://issuer.example", audience: portcullis, jwksUri: "https://issuer.example/jwks" }
connections:
  ${connections}
rules:
${rules}`,
    { env: 'production', variables: {} },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policy;
}

const token = secretSamples()['github-token']!();
const principal: Principal = {
  subject: 'agent-1',
  issuer: 'https://issuer.example',
  groups: ['agents'],
  claims: { sub: 'agent-1', repository: 'my-org/app', exp: 1, jti: 'x', nonce: 'n', nested: { a: 1 }, roles: ['a', 'b', { c: 1 }] },
  kind: 'workload',
};
const operation = (over: Partial<Operation> = {}): Operation => ({
  kind: 'http',
  method: 'POST',
  path: '/items/1',
  query: 'a=1',
  actions: ['POST /items/1'],
  resources: [],
  flags: [],
  headers: { 'content-type': 'text/plain' },
  text: 'hello',
  summary: 'POST /items/1?a=1',
  details: {},
  ...over,
});

/** A decision event as the pipeline records it, sealed with placeholder chain fields. */
function recorded(op: Operation, action: 'allow' | 'deny' | 'review', rule: string, limit = 16 * 1024): DecisionEvent {
  const masker = createMasker();
  const base = eventBase({ sessionId: 's1', requestId: 'r1', principal, connection: 'api', operation: op, masker });
  const event = {
    ...base,
    ...decisionInputs(base, principal, op, masker, limit),
    type: 'decision',
    decision: { action, rule, reason: 'x' },
    v: 1,
    seq: 1,
    prev: '0'.repeat(64),
    hash: '0'.repeat(64),
    time: new Date().toISOString(),
  };
  // What is recorded must pass the session log's own schema.
  return sessionEventSchema.parse(event) as DecisionEvent;
}

describe('decision events: what re-deciding needs', () => {
  it('records claims without token mechanics or objects, and the operation\'s fields', () => {
    const e = recorded(operation(), 'allow', 'r');
    assert.deepEqual(e.principal, {
      subject: 'agent-1',
      issuer: 'https://issuer.example',
      groups: ['agents'],
      kind: 'workload',
      claims: { sub: 'agent-1', repository: 'my-org/app', roles: ['a', 'b'] },
    });
    assert.deepEqual([e.operation?.method, e.operation?.path, e.operation?.query, e.operation?.text], ['POST', '/items/1', 'a=1', 'hello']);
    assert.equal(e.operation?.masked, undefined);
  });

  it('masks secrets in the text, query and headers and names the fields it changed', () => {
    const e = recorded(operation({ text: `token=${token}`, query: `key=${token}`, headers: { 'x-token': token } }), 'allow', 'r');
    const line = JSON.stringify(e);
    assert.ok(!line.includes(token), 'a secret reached the record');
    assert.deepEqual(e.operation?.masked, ['headers', 'query', 'text']);
  });

  it('masks a claim by its name as a body is masked, as well as by its value', () => {
    const password = `Pw-${Math.random().toString(36).slice(2)}-x9`;
    const withSecrets: Principal = { ...principal, claims: { sub: 'agent-1', password, pw: password, note: `token ${token}`, roles: ['a', token] } };
    const masker = createMasker();
    const base = eventBase({ sessionId: 's1', requestId: 'r1', principal: withSecrets, connection: 'api', operation: operation(), masker });
    const inputs = decisionInputs(base, withSecrets, operation(), masker, 16 * 1024);
    const line = JSON.stringify(inputs.principal);
    assert.ok(!line.includes(password) && !line.includes(token), line);
    assert.equal(inputs.principal?.claims?.sub, 'agent-1');
    assert.deepEqual(inputs.operation?.masked, ['claims']);
  });

  it('records a request of several parts without the text only rules see, where parts joined with nothing would glue a secret to its neighbour', () => {
    const key = secretSamples()['aws-access-key-id']!();
    const parts = partsText(['You are helpful', `${key} is the key`]);
    const e = recorded(operation(parts), 'allow', 'r');
    assert.ok(!JSON.stringify(e).includes(key), 'a secret reached the record');
    assert.match(e.operation!.text!, /You are helpful \[MASKED:aws-access-key-id\] is the key/);
  });

  it('truncates the text like payloads and marks it', () => {
    const e = recorded(operation({ text: 'x'.repeat(100) }), 'allow', 'r', 10);
    assert.equal(e.operation?.text, 'x'.repeat(10));
    assert.deepEqual(e.operation?.masked, ['text']);
  });
});

describe('redecide', () => {
  const live = policy('  - { name: writes, match: { method: POST }, action: allow }');

  it('re-decides with the recorded claims, path and text under the candidate', () => {
    const candidate = policy(`  - { name: writes, match: { method: POST }, action: allow }
  - { name: theirs, match: { claims: { repository: "my-org/*" }, body: "^hello$" }, action: review, review: { groups: [leads] } }`);
    const r = redecide(recorded(operation(), 'allow', 'writes'), candidate);
    assert.deepEqual(r, { redecided: true, before: { action: 'allow', rule: 'writes' }, after: { action: 'review', rule: 'theirs' }, approximate: [] });
    assert.deepEqual(redecide(recorded(operation(), 'allow', 'writes'), live), { ...r, after: { action: 'allow', rule: 'writes' } });
  });

  it('says when the recorded text was masked, so the re-decision is approximate', () => {
    const candidate = policy('  - { name: secrets, match: { body: "token=" }, action: deny }');
    const r = redecide(recorded(operation({ text: `token=${token}` }), 'allow', 'writes'), candidate);
    assert.ok(r.redecided);
    assert.equal(r.after.action, 'deny');
    assert.deepEqual(r.approximate, ['text']);
  });

  it('counts older events without claims and operation fields as not re-decidable', () => {
    const e = recorded(operation(), 'allow', 'writes');
    const { claims: _c, kind: _k, ...principalV0 } = e.principal!;
    const { method: _m, path: _p, query: _q, headers: _h, text: _t, ...operationV0 } = e.operation!;
    const older = sessionEventSchema.parse({ ...e, principal: principalV0, operation: operationV0 }) as DecisionEvent;
    const r = redecide(older, live);
    assert.equal(r.redecided, false);
    assert.match((r as { reason: string }).reason, /recorded without the claims and operation fields/);
  });

  it('denies by unknown-connection when the candidate drops the connection; a changed kind is not re-decidable', () => {
    const e = recorded(operation(), 'allow', 'writes');
    const dropped = policy('  []', 'other: { kind: http, upstream: "https://other.example" }');
    assert.deepEqual(redecide(e, dropped), { redecided: true, before: { action: 'allow', rule: 'writes' }, after: { action: 'deny', rule: 'unknown-connection' }, approximate: [] });
    const changed = policy('  []', 'api: { kind: openai, upstream: "https://api.example" }');
    const r = redecide(e, changed);
    assert.equal(r.redecided, false);
    assert.match((r as { reason: string }).reason, /api is openai in the candidate, http when recorded/);
  });
});
