import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../connections/operation.js';
import type { Principal } from '../identity/index.js';
import type { Policy } from '../policy/compile.js';
import { loadPolicy } from '../policy/load.js';
import { decide } from './decide.js';
import { explain } from './explain.js';

function policy(body: string): Policy {
  const text = `version: 1
issuers:
  - issuer: https://issuer.example
    audience: portcullis
    jwksUri: https://issuer.example/jwks
connections:
  api: { kind: http, upstream: "https://api.example" }
  ops: { kind: http, upstream: "https://ops.example", groups: [operators] }
  lenient: { kind: http, upstream: "https://lenient.example", default: allow }
${body}`;
  const result = loadPolicy(text, { env: 'production', variables: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.policy;
}

const agent = (overrides: Partial<Principal> = {}): Principal => ({
  subject: 'agent-1',
  issuer: 'https://issuer.example',
  groups: ['agents'],
  claims: { repository: 'my-org/app' },
  kind: 'workload',
  ...overrides,
});

const op = (overrides: Partial<Operation> = {}): Operation => ({
  kind: 'http',
  method: 'POST',
  path: '/items/1',
  query: 'a=1',
  actions: ['POST /items/1'],
  resources: [],
  flags: [],
  headers: { 'content-type': 'application/json' },
  text: '{"secret":"hunter2"}',
  summary: 'POST /items/1',
  details: {},
  ...overrides,
});

const RULES = `
rules:
  - { name: reads, match: { method: [GET, HEAD] }, action: allow }
  - { name: from-repo, match: { claims: { repository: "other-org/*" } }, action: allow }
  - { name: needs-header, match: { headers: { X-Change-Ticket: "^CHG-[0-9]+$" } }, action: allow }
  - { name: workflows, match: { claims: { job_workflow_ref: "*@refs/heads/main" } }, action: allow }
  - { name: admin, match: { connections: ops, path: /admin/** }, action: deny }
  - { name: no-secrets, match: { body: "(?i)password" }, action: deny }
  - { name: items, match: { path: /items/** }, action: allow }
  - { name: items-again, match: { path: "/items/*" }, action: allow }
  - { name: item-writes, match: { method: POST, path: /items/** }, action: review, review: { groups: [leads] } }
`;

const byName = (e: ReturnType<typeof explain>, name: string) => e.rules.find((r) => r.name === name)!;

describe('guard: explain', () => {
  it('names the first field that did not match, and why, as the policy wrote it', () => {
    const p = policy(RULES);
    const e = explain(agent(), p.connections.get('api')!, op(), p);
    assert.deepEqual(byName(e, 'reads').mismatch, { field: 'method', why: 'POST not in [GET, HEAD]' });
    assert.deepEqual(byName(e, 'from-repo').mismatch, { field: 'claims', why: 'repository: "my-org/app" matches none of [other-org/*]' });
    assert.deepEqual(byName(e, 'workflows').mismatch, { field: 'claims', why: 'job_workflow_ref is absent (wanted [*@refs/heads/main])' });
    assert.deepEqual(byName(e, 'needs-header').mismatch, { field: 'headers', why: 'x-change-ticket is absent (wanted /^CHG-[0-9]+$/)' });
    assert.deepEqual(byName(e, 'admin').mismatch, { field: 'connections', why: 'api not in [ops]' });
    // The text is described by its size, never quoted: it may hold what masking would hide.
    assert.deepEqual(byName(e, 'no-secrets').mismatch, { field: 'body', why: 'the text (20 characters) does not match /(?i)password/' });
    assert.ok(!JSON.stringify(e).includes('hunter2'));
  });

  it('reports every matching rule and why the winner won: review beats allow, first among equals', () => {
    const p = policy(RULES);
    const e = explain(agent(), p.connections.get('api')!, op(), p);
    assert.deepEqual(e.rules.filter((r) => r.matched).map((r) => r.name), ['items', 'items-again', 'item-writes']);
    assert.equal(e.decision.rule, 'item-writes');
    assert.match(e.why, /review beats allow .* over items, items-again/);

    const read = explain(agent(), p.connections.get('api')!, op({ method: 'GET' }), p);
    assert.equal(read.decision.rule, 'reads');
    assert.match(read.why, /first in policy order among the allow rules that matched \(also items, items-again\)/);
  });

  it('explains the connection default and the group gate', () => {
    const p = policy(RULES);
    const none = explain(agent(), p.connections.get('lenient')!, op({ method: 'DELETE', path: '/x' }), p);
    assert.equal(none.decision.rule, 'default');
    assert.match(none.why, /no rule matched; the default of connection lenient is allow/);

    const gated = explain(agent(), p.connections.get('ops')!, op(), p);
    assert.deepEqual(gated.gate, { groups: ['operators'], passed: false });
    assert.equal(gated.decision.rule, 'connection-groups');
    assert.match(gated.why, /none of the groups \[operators\]/);
  });

  it('agrees with decide on every request: the winner is the most restrictive match, first in order', () => {
    const p = policy(RULES);
    const rank = { allow: 1, review: 2, deny: 3 };
    const principals = [agent(), agent({ groups: ['operators'] }), agent({ claims: { repository: 'other-org/x', job_workflow_ref: 'a@refs/heads/main' } })];
    const operations = [
      op(),
      op({ method: 'GET' }),
      op({ method: 'HEAD', path: '/admin/x' }),
      op({ path: '/other', text: 'my PASSWORD' }),
      op({ headers: { 'x-change-ticket': 'CHG-12' }, path: '/x' }),
      op({ method: 'DELETE', path: '/items/a/b' }),
    ];
    for (const connection of p.connections.values()) {
      for (const principal of principals) {
        for (const operation of operations) {
          const e = explain(principal, connection, operation, p);
          const d = decide(principal, connection, operation, p);
          assert.deepEqual(e.decision, d);
          if (d.rule === 'connection-groups' || d.rule === 'default') {
            assert.equal(d.rule === 'default', e.rules.every((r) => !r.matched));
            continue;
          }
          const matched = e.rules.filter((r) => r.matched);
          const best = Math.max(...matched.map((r) => rank[r.action]));
          assert.equal(matched.find((r) => rank[r.action] === best)!.name, d.rule);
        }
      }
    }
  });
});
