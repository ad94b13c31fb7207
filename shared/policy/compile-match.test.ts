// What compiled matches see, end to end through the guard: queries as the upstream decodes them,
// paths with a trailing slash, claim globs that stop at `/` and `@`, and the principal's issuer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../connections/operation.js';
import { decide } from '../guard/decide.js';
import { explain } from '../guard/explain.js';
import type { Principal } from '../identity/index.js';
import type { Policy } from './compile.js';
import { loadPolicy } from './load.js';

const PROD = 'https://oidc.example/cluster-prod/';
const DEV = 'https://oidc.example/cluster-dev/';

function policy(rules: string): Policy {
  const result = loadPolicy(
    `version: 1
issuers:
  - { issuer: "${PROD}", audience: portcullis, jwksUri: "${PROD}jwks" }
  - { issuer: "${DEV}", audience: portcullis, jwksUri: "${DEV}jwks" }
connections:
  api: { kind: http, upstream: https://api.example }
rules:
${rules}`,
    { env: 'production', variables: {} },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.policy;
}

const principal = (overrides: Partial<Principal> = {}): Principal => ({ subject: 'system:serviceaccount:prod:deployer', issuer: PROD, groups: ['agents'], claims: {}, kind: 'workload', ...overrides });
const op = (overrides: Partial<Operation> = {}): Operation => ({
  kind: 'http', method: 'GET', path: '/items', query: '', actions: ['GET /items'], resources: [], flags: [], headers: {}, text: '', summary: 'GET /items', details: {}, ...overrides,
});
const decision = (p: Policy, who: Principal, what: Operation) => {
  const d = decide(who, p.connections.get('api')!, what, p);
  return `${d.action}:${d.rule}`;
};

describe('compiled matches', () => {
  it('query: matches the query as sent or as the upstream decodes it', () => {
    const p = policy(`  - { name: all, match: {}, action: allow }
  - { name: no-debug, match: { query: "(^|&)debug=1(&|$)" }, action: deny }`);
    for (const query of ['debug=1', 'x=2&%64ebug=1', 'd%65bug=%31', 'debug=1&x=%ZZ']) assert.equal(decision(p, principal(), op({ query })), 'deny:no-debug', query);
    // A decoded value cannot pose as a pair of its own.
    for (const query of ['x=%26debug%3D1', 'debugx=1', '']) assert.equal(decision(p, principal(), op({ query })), 'allow:all', query);
  });

  it('path: deny and review rules also match a trailing slash; allow rules stay exact', () => {
    const p = policy(`  - { name: items, match: { path: /items }, action: allow }
  - { name: no-admin, match: { path: /admin/users }, action: deny }
  - { name: repo-deletes, match: { method: DELETE, path: "/repos/*/*" }, action: review, review: { groups: [leads] } }`);
    assert.equal(decision(p, principal(), op({ path: '/admin/users/' })), 'deny:no-admin');
    assert.equal(decision(p, principal(), op({ method: 'DELETE', path: '/repos/acme/prod/' })), 'review:repo-deletes');
    assert.equal(decision(p, principal(), op({ path: '/items' })), 'allow:items');
    assert.equal(decision(p, principal(), op({ path: '/items/' })), 'deny:default');
  });

  it('claims: in allow rules * stops at / and @, ** crosses / but not @; deny rules * matches anything', () => {
    const p = policy(`  - { name: from-main, match: { claims: { job_workflow_ref: "my-org/infra/**@refs/heads/main" } }, action: allow }
  - { name: untrusted, match: { claims: { sub: "repo:other-org/*" } }, action: deny }`);
    const ref = (job_workflow_ref: string, sub = 'repo:my-org/infra:ref:refs/heads/main') => principal({ claims: { job_workflow_ref, sub } });
    assert.equal(decision(p, ref('my-org/infra/.github/workflows/deploy.yml@refs/heads/main'), op()), 'allow:from-main');
    assert.equal(decision(p, ref('my-org/infra/.github/workflows/deploy.yml@refs/heads/evil@refs/heads/main'), op()), 'deny:default');
    assert.equal(decision(p, ref('my-org/infra/.github/workflows/deploy.yml@refs/heads/main', 'repo:other-org/x:ref:refs/heads/main'), op()), 'deny:untrusted');
  });

  it('issuers: a rule can name the issuer, since a subject is unique only within its issuer', () => {
    const p = policy(`  - { name: prod-deployer, match: { issuers: "${PROD}", subjects: "system:serviceaccount:prod:deployer" }, action: allow }
  - { name: dev-by-claim, match: { claims: { iss: "${DEV}" }, subjects: "system:serviceaccount:dev:*" }, action: allow }`);
    assert.equal(decision(p, principal(), op()), 'allow:prod-deployer');
    assert.equal(decision(p, principal({ issuer: DEV, claims: { iss: DEV } }), op()), 'deny:default');
    assert.equal(decision(p, principal({ issuer: DEV, subject: 'system:serviceaccount:dev:ci', claims: { iss: DEV } }), op()), 'allow:dev-by-claim');
    const trace = explain(principal({ issuer: DEV }), p.connections.get('api')!, op(), p).rules[0]!;
    assert.deepEqual(trace.mismatch, { field: 'issuers', why: `${DEV} not in [${PROD}]` });
  });

  it('issuers: naming an issuer the policy does not trust is a problem', () => {
    const result = loadPolicy(
      `version: 1
issuers: [{ issuer: "${PROD}", audience: portcullis, jwksUri: "${PROD}jwks" }]
connections: {}
rules: [{ name: typo, match: { issuers: ["${PROD}", "https://oidc.example/cluster-prd/"] }, action: deny }]`,
      { env: 'production', variables: {} },
    );
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.map((p) => [p.path, p.message]), [['rules[0].match.issuers[1]', 'no issuer in issuers is "https://oidc.example/cluster-prd/"']]);
  });
});
