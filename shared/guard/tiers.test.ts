import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../connections/operation.js';
import type { Principal } from '../identity/index.js';
import { loadPolicy } from '../policy/load.js';
import { decide } from './decide.js';

const HEAD = `version: 1
issuers:
  - issuer: https://issuer.example
    audience: portcullis
    jwksUri: https://issuer.example/jwks
connections:
  db:
    kind: postgres
    credentials:
      read: { keyVault: { vault: https://v.vault.azure.net, secret: db-reader } }
      write: { keyVault: { vault: https://v.vault.azure.net, secret: db-writer } }
      admin: { keyVault: { vault: https://v.vault.azure.net, secret: db-owner } }
  api:
    kind: http
    upstream: https://api.example
    credentials:
      read: { keyVault: { vault: https://v.vault.azure.net, secret: api-read } }
      write: { keyVault: { vault: https://v.vault.azure.net, secret: api-write } }
`;

function load(rules: string, env: 'production' | 'development' = 'production') {
  return loadPolicy(`${HEAD}${rules}`, { env, variables: {} });
}

function policy(rules: string) {
  const result = load(rules);
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.policy;
}

const agent: Principal = { subject: 'agent-1', issuer: 'https://issuer.example', groups: ['agents'], claims: {}, kind: 'workload' };

const op = (overrides: Partial<Operation>): Operation => ({
  kind: 'http',
  method: 'GET',
  path: '/items',
  query: '',
  actions: ['GET /items'],
  resources: [],
  flags: [],
  headers: {},
  text: '',
  summary: 'GET /items',
  details: {},
  ...overrides,
});

const select = op({ kind: 'postgres', method: 'SQL', path: '', actions: ['SelectStmt'], flags: ['read-only'], summary: 'sql SelectStmt' });
const update = op({ kind: 'postgres', method: 'SQL', path: '', actions: ['UpdateStmt'], flags: ['write'], summary: 'sql UpdateStmt' });

describe('credential tiers: the decision names the tier a request runs with', () => {
  const rules = policy(`
rules:
  - name: reads
    match: { connections: db, flags: read-only }
    action: allow
  - name: writes
    match: { connections: db, actions: UpdateStmt }
    action: allow
  - name: migrations
    match: { connections: db, actions: AlterTableStmt }
    action: review
    review: { groups: [dba], elevate: admin }
  - name: reads-as-writer
    match: { connections: api, path: /reports/** }
    action: allow
    tier: write
  - name: search-is-a-read
    match: { connections: api, method: POST, path: /search }
    action: allow
    tier: read
  - name: api-get
    match: { connections: api, method: GET }
    action: allow
`);
  const db = rules.connections.get('db')!;
  const api = rules.connections.get('api')!;

  it('gives read-only operations the read tier and everything else write', () => {
    assert.equal(decide(agent, db, select, rules).tier, 'read');
    assert.equal(decide(agent, db, update, rules).tier, 'write');
    assert.equal(decide(agent, api, op({}), rules).tier, 'read');
    assert.equal(decide(agent, api, op({ method: 'HEAD' }), rules).tier, 'read');
    assert.equal(decide(agent, api, op({ method: 'POST', actions: ['POST /items'] }), rules).tier, 'write');
  });

  it('uses the tier the deciding rule names, up or down', () => {
    const report = decide(agent, api, op({ path: '/reports/daily', actions: ['GET /reports/daily'] }), rules);
    assert.deepEqual([report.rule, report.tier], ['reads-as-writer', 'write']);
    const bulk = decide(agent, api, op({ method: 'POST', path: '/search', actions: ['POST /search'] }), rules);
    assert.deepEqual([bulk.rule, bulk.tier], ['search-is-a-read', 'read']);
  });

  it('grants admin only through a review rule that elevates', () => {
    const alter = op({ kind: 'postgres', method: 'SQL', path: '', actions: ['AlterTableStmt'], flags: ['ddl'] });
    const decision = decide(agent, db, alter, rules);
    assert.deepEqual([decision.action, decision.tier], ['review', 'admin']);
  });

  it('refuses admin on a rule, a tier on a deny rule, and credential with credentials', () => {
    const admin = load(`
rules:
  - name: all
    match: { connections: db }
    action: allow
    tier: admin
`);
    assert.equal(admin.ok, false);
    assert.match(JSON.stringify(!admin.ok && admin.problems), /only an approval can grant admin/);
    const deny = load(`
rules:
  - name: none
    match: { connections: db }
    action: deny
    tier: write
`);
    assert.equal(deny.ok, false);
    const both = loadPolicy(HEAD.replace('    credentials:\n      read: { keyVault: { vault: https://v.vault.azure.net, secret: db-reader } }', '    credential: { keyVault: { vault: https://v.vault.azure.net, secret: db } }\n    credentials:\n      read: { keyVault: { vault: https://v.vault.azure.net, secret: db-reader } }'), { env: 'production', variables: {} });
    assert.equal(both.ok, false);
    assert.match(JSON.stringify(!both.ok && both.problems), /not both/);
  });

  it('refuses environment credentials in a tier outside development', () => {
    const doc = HEAD.replace('read: { keyVault: { vault: https://v.vault.azure.net, secret: api-read } }', 'read: { env: API_READ }');
    const prod = loadPolicy(doc, { env: 'production', variables: {} });
    assert.equal(prod.ok, false);
    assert.match(JSON.stringify(!prod.ok && prod.problems), /credentials.*read.*env/);
    assert.equal(loadPolicy(doc, { env: 'development', variables: {} }).ok, true);
  });

  it('requires a credential of postgres and arm connections, one way or the other', () => {
    const none = loadPolicy(HEAD.replace(/ {4}credentials:\n(?: {6}.*\n){3}/, ''), { env: 'production', variables: {} });
    assert.equal(none.ok, false);
    assert.match(JSON.stringify(!none.ok && none.problems), /set credential, or credentials/);
  });
});
