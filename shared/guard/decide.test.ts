import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Operation } from '../connections/operation.js';
import type { Principal } from '../identity/index.js';
import type { Policy } from '../policy/compile.js';
import { loadPolicy } from '../policy/load.js';
import { decide } from './decide.js';

const ISSUERS = `
issuers:
  - issuer: https://issuer.example
    audience: portcullis
    jwksUri: https://issuer.example/jwks
`;

function policy(body: string): Policy {
  const result = loadPolicy(`version: 1\n${ISSUERS}\n${body}`, { env: 'production', variables: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.policy;
}

const CONNECTIONS = `
connections:
  api:
    kind: http
    upstream: https://api.example
  ops:
    kind: http
    upstream: https://ops.example
    groups: [operators]
  lenient:
    kind: http
    upstream: https://lenient.example
    default: allow
  gated:
    kind: http
    upstream: https://gated.example
    default: review
    reviewers: [leads]
`;

const agent = (overrides: Partial<Principal> = {}): Principal => ({
  subject: 'agent-1',
  issuer: 'https://issuer.example',
  groups: ['agents'],
  claims: { repository: 'my-org/app', job_workflow_ref: 'my-org/app/.github/workflows/ci.yml@refs/heads/main', roles: ['a', 'b'] },
  kind: 'workload',
  ...overrides,
});

const op = (overrides: Partial<Operation> = {}): Operation => ({
  kind: 'http',
  method: 'GET',
  path: '/items/1',
  query: 'expand=true&_method=DELETE',
  actions: ['GET /items/1'],
  resources: [],
  flags: [],
  headers: { 'content-type': 'application/json' },
  text: '',
  summary: 'GET /items/1',
  details: {},
  ...overrides,
});

const run = (p: Policy, connection: string, principal = agent(), operation = op()) =>
  decide(principal, p.connections.get(connection)!, operation, p);

describe('guard: defaults', () => {
  it('denies when no rule matches and the connection sets no default', () => {
    const d = run(policy(CONNECTIONS), 'api');
    assert.equal(d.action, 'deny');
    assert.equal(d.rule, 'default');
    assert.match(d.reason, /No rule matched GET \/items\/1/);
  });

  it('uses the connection default when no rule matches', () => {
    const p = policy(CONNECTIONS);
    assert.equal(run(p, 'lenient').action, 'allow');
    const gated = run(p, 'gated');
    assert.equal(gated.action, 'review');
    assert.deepEqual(gated.review?.groups, ['leads']);
    assert.equal(gated.review?.timeoutMs, 3_600_000);
  });

  it('denies principals outside the connection groups before any rule', () => {
    const p = policy(`${CONNECTIONS}\nrules:\n  - { name: all, action: allow }`);
    const d = run(p, 'ops');
    assert.equal(d.action, 'deny');
    assert.equal(d.rule, 'connection-groups');
    assert.equal(run(p, 'ops', agent({ groups: ['operators'] })).action, 'allow');
  });
});

describe('guard: precedence', () => {
  const p = policy(`${CONNECTIONS}
rules:
  - { name: allow-all, action: allow }
  - name: review-writes
    match: { method: [POST, PUT, PATCH, DELETE] }
    action: review
    message: Writes need a human
    review: { groups: [leads], minApprovals: 2, timeout: 15m }
  - name: second-review
    match: { method: DELETE }
    action: review
    review: { groups: [others] }
  - name: deny-admin
    match: { path: /admin/** }
    action: deny
    message: Admin endpoints are off limits
`);

  it('allows when only allow rules match', () => {
    const d = run(p, 'api');
    assert.deepEqual([d.action, d.rule], ['allow', 'allow-all']);
  });

  it('review beats allow', () => {
    const d = run(p, 'api', agent(), op({ method: 'POST' }));
    assert.deepEqual([d.action, d.rule, d.reason], ['review', 'review-writes', 'Writes need a human']);
    assert.deepEqual(d.review, { groups: ['leads'], minApprovals: 2, timeoutMs: 900_000 });
  });

  it('among equally restrictive rules the first in order decides', () => {
    assert.equal(run(p, 'api', agent(), op({ method: 'DELETE' })).rule, 'review-writes');
  });

  it('deny beats review and allow, wherever it stands in the list', () => {
    const d = run(p, 'api', agent(), op({ method: 'DELETE', path: '/admin/users' }));
    assert.deepEqual([d.action, d.rule, d.reason], ['deny', 'deny-admin', 'Admin endpoints are off limits']);
  });

  it('deny beats allow for reads too', () => {
    assert.equal(run(p, 'api', agent(), op({ path: '/admin' })).action, 'deny');
  });
});

describe('guard: match fields', () => {
  const single = (match: string, action = 'allow') =>
    policy(`${CONNECTIONS}\nrules:\n  - name: r\n    action: ${action}\n    match: ${match}\n`);
  const allowed = (match: string, principal = agent(), operation = op(), connection = 'api') =>
    run(single(match), connection, principal, operation).action === 'allow';

  it('connections: by name and by glob', () => {
    assert.ok(allowed('{ connections: api }'));
    assert.ok(!allowed('{ connections: [lenient] }', agent(), op(), 'api'));
    assert.ok(allowed('{ connections: "gat*" }', agent(), op(), 'gated'));
  });

  it('groups: any of', () => {
    assert.ok(allowed('{ groups: [x, agents] }'));
    assert.ok(!allowed('{ groups: [x] }'));
  });

  it('subjects and kind', () => {
    assert.ok(allowed('{ subjects: "agent-*", kind: workload }'));
    assert.ok(!allowed('{ kind: user }'));
    assert.ok(!allowed('{ subjects: "human-*" }'));
  });

  it('claims: GitHub Actions claims by glob, list claims by any element', () => {
    assert.ok(allowed('{ claims: { repository: "my-org/*", job_workflow_ref: "**@refs/heads/main" } }'));
    assert.ok(!allowed('{ claims: { repository: "other-org/*" } }'));
    assert.ok(!allowed('{ claims: { missing: "*" } }'));
    assert.ok(allowed('{ claims: { roles: b } }'));
  });

  it('method and path globs', () => {
    assert.ok(allowed('{ method: [GET, HEAD], path: "/items/*" }'));
    assert.ok(!allowed('{ method: POST }'));
    assert.ok(!allowed('{ path: "/items" }'));
    assert.ok(allowed('{ path: "/items/**" }'));
  });

  it('query: a regex over the query string', () => {
    assert.ok(allowed('{ query: "(^|&)_method=" }'));
    assert.ok(!allowed('{ query: "^debug=" }'));
  });

  it('paths: deny and review rules ignore case, allow rules do not', () => {
    const p = policy(`${CONNECTIONS}\nrules:\n  - { name: open, action: allow, match: { path: /public/** } }\n  - { name: shut, action: deny, match: { path: /admin/** } }\n`);
    assert.equal(run(p, 'api', agent(), op({ path: '/Admin/users' })).rule, 'shut');
    assert.equal(run(p, 'api', agent(), op({ path: '/PUBLIC/x' })).rule, 'default');
    assert.equal(run(p, 'api', agent(), op({ path: '/public/x' })).rule, 'open');
  });

  it('headers: every named header must exist and match its regex', () => {
    assert.ok(allowed('{ headers: { Content-Type: "^application/json" } }'));
    assert.ok(!allowed('{ headers: { content-type: "xml" } }'));
    assert.ok(!allowed('{ headers: { x-absent: ".*" } }'));
  });

  it('body: a regex over the text rules see, (?i) for case-insensitive', () => {
    const operation = op({ text: 'please run PrintEnv and show me' });
    assert.ok(allowed('{ body: "(?i)printenv" }', agent(), operation));
    assert.ok(!allowed('{ body: "printenv" }', agent(), operation));
  });

  it('body: a catastrophic regex is judged in linear time, on a long prompt too', () => {
    // A backtracking engine takes 2^n steps here (n = the run of a's): 40 would not finish.
    assert.ok(!allowed('{ body: "(a+)+$" }', agent(), op({ text: `${'a'.repeat(40)}!` })));
    assert.ok(allowed('{ body: "(a+)+$" }', agent(), op({ text: 'a'.repeat(1 << 20) })));
    assert.ok(!allowed('{ body: "(x+x+)+y" }', agent(), op({ text: 'x'.repeat(1 << 20) })));
    assert.ok(!allowed('{ headers: { user-agent: "^(a|aa)+$" } }', agent(), op({ headers: { 'user-agent': `${'a'.repeat(60)}!` } })));
  });

  it('refuses at load a regex that cannot run in linear time (lookaround, backreference)', () => {
    for (const body of ['(a)\\1', 'secret(?=s)', '(?<!x)token']) {
      const result = loadPolicy(`version: 1\n${ISSUERS}\n${CONNECTIONS}\nrules:\n  - { name: r, action: deny, match: { body: '${body}' } }\n`, { env: 'production', variables: {} });
      assert.ok(!result.ok, body);
      assert.match(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'), /rules\[0\]\.match\.body: .*linear-time/);
    }
  });

  it('actions, resources and flags', () => {
    const arm = op({
      actions: ['Microsoft.Storage/storageAccounts/listKeys/action'],
      resources: ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct'],
      flags: ['secrets'],
    });
    assert.ok(allowed('{ actions: "Microsoft.Storage/*/listKeys/action" }', agent(), arm));
    assert.ok(allowed('{ actions: "microsoft.storage/*/LISTKEYS/action" }', agent(), arm));
    assert.ok(!allowed('{ actions: "*/delete" }', agent(), arm));
    assert.ok(allowed('{ resources: "*/resourceGroups/rg/*" }', agent(), arm));
    assert.ok(allowed('{ flags: [ddl, secrets] }', agent(), arm));
    assert.ok(!allowed('{ flags: ddl }', agent(), arm));
  });

  it('an allow rule covers an operation only when it covers each of its actions and resources; deny and review need one', () => {
    const sql = op({ kind: 'postgres', actions: ['SelectStmt', 'DropStmt'], resources: ['public.orders', 'public.t'] });
    assert.ok(!allowed('{ actions: SelectStmt }', agent(), sql));
    assert.ok(allowed('{ actions: [SelectStmt, DropStmt] }', agent(), sql));
    assert.ok(!allowed('{ resources: public.orders }', agent(), sql));
    assert.ok(allowed('{ resources: "public.*" }', agent(), sql));
    assert.ok(!allowed('{ actions: "*" }', agent(), op({ actions: [] })));
    assert.ok(!allowed('{ resources: "*" }', agent(), op({ resources: [] })));
    const deploy = op({ actions: ['Microsoft.Resources/deployments/write'], resources: ['/subscriptions/s/resourceGroups/dev/providers/Microsoft.Resources/deployments/d', '/subscriptions/s/resourceGroups/prod'] });
    assert.ok(!allowed('{ resources: "/subscriptions/s/resourceGroups/dev/**" }', agent(), deploy));
    for (const action of ['deny', 'review\n    review: { groups: [leads] }']) {
      const decided = run(single('{ actions: DropStmt, resources: public.t }', action), 'api', agent(), sql).action;
      assert.equal(decided, action.split('\n')[0]);
    }
  });

  it('an empty match matches everything', () => {
    assert.ok(allowed('{}'));
  });

  it('all fields must match together', () => {
    assert.ok(!allowed('{ groups: agents, method: POST }'));
  });
});

describe('guard: which rules read the request text', () => {
  it('knows per connection whether any rule has a body match', () => {
    const p = policy(`${CONNECTIONS}\nrules:\n  - { name: r, action: deny, match: { connections: api, body: "x" } }\n`);
    assert.equal(p.readsText('api'), true);
    assert.equal(p.readsText('ops'), false);
  });
});

describe('decide: MCP tool calls', () => {
  const p = policy(`
connections:
  tools:
    kind: mcp
    upstream: https://mcp.example/mcp
rules:
  - { name: tools-allowed, match: { actions: "tools/call:*" }, action: allow }
  - name: no-etc
    match: { actions: "tools/call:read_*", arguments: { "$.path": "^/etc/", "$.mode": "^r" } }
    action: deny
  - name: review-any-recursive
    match: { actions: "tools/call:*", arguments: { "$.options[*].recursive": "^true$" } }
    action: review
    review: { groups: [leads] }
`);
  const agent: Principal = { subject: 'a', issuer: 'i', groups: [], kind: 'workload', claims: {} };
  const call = (name: string, args?: unknown): Operation => ({
    kind: 'mcp', method: 'POST', path: '', query: '', headers: {}, flags: [], resources: [], details: {},
    actions: [`tools/call:${name}`], text: JSON.stringify(args ?? {}), summary: name, ...(args === undefined ? {} : { arguments: args }),
  });
  const connection = p.connections.get('tools')!;

  it('matches every arguments path (AND), by regex over the selected value', () => {
    assert.equal(decide(agent, connection, call('read_file', { path: '/etc/shadow', mode: 'r' }), p).rule, 'no-etc');
    assert.equal(decide(agent, connection, call('read_file', { path: '/etc/shadow', mode: 'w' }), p).rule, 'tools-allowed');
    assert.equal(decide(agent, connection, call('read_file', { path: '/src/a', mode: 'r' }), p).rule, 'tools-allowed');
  });
  it('reads non-strings as JSON and any element under [*]', () => {
    assert.equal(decide(agent, connection, call('copy', { options: [{ recursive: false }, { recursive: true }] }), p).action, 'review');
    assert.equal(decide(agent, connection, call('copy', { options: [{ recursive: false }] }), p).action, 'allow');
  });
  it('never applies to an operation without arguments', () => {
    assert.equal(decide(agent, connection, call('read_file'), p).action, 'allow');
  });
});

describe('decide: commands', () => {
  const SSH = `
connections:
  box:
    kind: ssh
    host: box.internal
    user: deploy
    hostKey: "SHA256:${'A'.repeat(43)}"
    credential: { keyVault: { vault: https://v.vault.azure.net, secret: box-key } }
    default: allow
  open:
    kind: ssh
    host: box.internal
    user: deploy
    hostKey: "SHA256:${'A'.repeat(43)}"
    credential: { keyVault: { vault: https://v.vault.azure.net, secret: box-key } }
    default: allow
    denyFlags: []
rules:
  - name: no-recursive-rm
    match: { command: { program: rm, args: "(^| )-[a-zA-Z]*[rR]" } }
    action: deny
  - name: no-kubectl-delete
    match: { command: [{ program: "kube*", args: "^delete " }] }
    action: deny
`;
  const exec = (commands: Array<{ program: string; args: string[] }>, flags: string[] = []): Operation =>
    op({ kind: 'ssh', method: 'EXEC', path: '', query: '', actions: commands.map((c) => c.program), commands, flags });
  const box = (p: Policy, name = 'box') => p.connections.get(name)!;

  it('lets an allow rule cover a command only when it covers every program in it; deny and review need one', () => {
    const p = policy(`${SSH}
  - name: look-around
    match: { command: { program: [ls, cat] } }
    action: allow
  - name: review-curl
    match: { command: { program: curl } }
    action: review
    review: { groups: [ops] }
`);
    // The box's default is allow: with deny, what no rule covers shows as `default`.
    const strict = { ...box(p), config: { ...box(p).config, default: 'deny' as const } };
    assert.equal(decide(agent(), strict, exec([{ program: 'ls', args: [] }, { program: 'cat', args: ['x'] }]), p).rule, 'look-around');
    assert.equal(decide(agent(), strict, exec([{ program: 'ls', args: [] }, { program: 'shred', args: ['x'] }]), p).rule, 'default');
    assert.equal(decide(agent(), strict, exec([]), p).rule, 'default');
    assert.equal(decide(agent(), strict, exec([{ program: 'ls', args: [] }, { program: 'curl', args: ['x'] }]), p).rule, 'review-curl');
  });

  it('matches a program by name or by path, and its arguments by regex', () => {
    const p = policy(SSH);
    assert.equal(decide(agent(), box(p), exec([{ program: 'rm', args: ['-rf', '/'] }]), p).rule, 'no-recursive-rm');
    assert.equal(decide(agent(), box(p), exec([{ program: '/usr/bin/rm', args: ['-fR', '/'] }]), p).rule, 'no-recursive-rm');
    assert.equal(decide(agent(), box(p), exec([{ program: 'ls', args: [] }, { program: 'kubectl', args: ['delete', 'pod', 'x'] }]), p).rule, 'no-kubectl-delete');
    assert.equal(decide(agent(), box(p), exec([{ program: 'rm', args: ['/tmp/x'] }]), p).action, 'allow');
    assert.equal(decide(agent(), box(p), exec([{ program: 'kubectl', args: ['get', 'pods'] }]), p).action, 'allow');
    assert.equal(decide(agent(), box(p), op(), p).action, 'allow');
  });

  it('denies the connection\'s denyFlags before any rule (unparsable and dynamic-program by default)', () => {
    const p = policy(SSH);
    for (const flag of ['unparsable', 'dynamic-program']) {
      const decision = decide(agent(), box(p), exec([], [flag]), p);
      assert.equal(decision.action, 'deny');
      assert.equal(decision.rule, 'connection-flags');
    }
    assert.equal(decide(agent(), box(p), exec([], ['sudo']), p).action, 'allow');
    assert.equal(decide(agent(), box(p, 'open'), exec([], ['unparsable']), p).action, 'allow');
  });

  it('refuses a command rule whose args are not a regular expression', () => {
    const result = loadPolicy(`version: 1\n${ISSUERS}\n${SSH}\n  - name: bad\n    match: { command: { args: "(" } }\n    action: deny\n`, { env: 'production', variables: {} });
    assert.equal(result.ok, false);
  });
});
