import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatProblems, loadPolicy, type LoadResult } from './load.js';
import { connectionSchema } from '../connections/schemas.js';

/** Every kind, as the policy's problems list them. */
const KINDS = connectionSchema.options.map((o) => `"${o.shape.kind.value}"`).join(', ');

const ISSUER = `issuers:
  - issuer: https://issuer.example
    audience: portcullis
    jwksUri: https://issuer.example/jwks
`;

const load = (text: string, env: 'development' | 'production' = 'production', variables: Record<string, string> = {}) =>
  loadPolicy(text, { env, variables });

function problems(result: LoadResult) {
  assert.equal(result.ok, false, 'expected problems');
  return (result as Extract<LoadResult, { ok: false }>).problems;
}

describe('policy loader', () => {
  it('loads a minimal policy with defaults', () => {
    const result = load(`version: 1\n${ISSUER}connections: {}\n`);
    assert.ok(result.ok);
    assert.equal(result.policy.recording, 'strict');
    assert.deepEqual(result.policy.auditorGroups, []);
    assert.equal(result.policy.rules.length, 0);
    assert.equal(result.policy.issuers[0]!.groupsClaim, 'groups');
  });

  it('reports every problem in one pass, each with its path and line:column', () => {
    const text = `version: 1
${ISSUER}connections:
  orders:
    kind: http
    upstream: not-a-url
    credential:
      header: X-Key
  bad_name:
    kind: http
    upstream: https://x.example
rules:
  - name: ok-rule
    action: allow
  - name: typo
    match:
      method: DELTE
    action: allow
  - name: Bad Name
    action: maybe
    extra: 1
`;
    const found = problems(load(text));
    const byPath = Object.fromEntries(found.map((p) => [p.path, p]));
    assert.ok(byPath['rules[1].match.method'], JSON.stringify(found, null, 2));
    assert.match(byPath['rules[1].match.method']!.message, /expected one of "GET".*got "DELTE"/);
    assert.deepEqual([byPath['rules[1].match.method']!.line, byPath['rules[1].match.method']!.column], [20, 7]);
    assert.ok(byPath['connections.orders.upstream']);
    assert.equal(byPath['connections.orders.upstream']!.line, 9);
    assert.ok(byPath['connections.orders.credential'], 'credential needs one source');
    assert.match(byPath['connections.orders.credential']!.message, /exactly one of keyVault, managedIdentity, env/);
    assert.ok(byPath['connections.bad_name'], 'connection name pattern');
    assert.ok(byPath['rules[2].name']);
    assert.ok(byPath['rules[2].action']);
    assert.match(byPath['rules[2].extra']!.message, /not a known field/);
    assert.equal(byPath['rules[2].extra']!.line, 24);
    assert.ok(found.length >= 7);
  });

  it('reports the checks a schema cannot express, all at once', () => {
    const text = `version: 1
${ISSUER}connections:
  api:
    kind: http
    upstream: https://api.example
    credential: { env: API_TOKEN }
  gated:
    kind: http
    upstream: https://gated.example
    default: review
rules:
  - { name: a, action: allow, match: { connections: [nope] } }
  - { name: a, action: review }
  - { name: c, action: deny, review: { groups: [x] } }
  - { name: d, action: deny, match: { body: "(unclosed" } }
`;
    const found = problems(load(text));
    const messages = found.map((p) => `${p.path}: ${p.message}`);
    for (const expected of [
      /connections\.api\.credential\.env: .*only allowed when PORTCULLIS_ENV=development/,
      /connections\.gated\.reviewers: is required when default is review/,
      /rules\[0\]\.match\.connections\[0\]: no connection is named "nope"/,
      /rules\[1\]\.name: "a" is already the name of rules\[0\]/,
      /rules\[1\]\.review: is required when action is review/,
      /rules\[2\]\.review: only applies to review rules/,
      /rules\[3\]\.match\.body: is not a valid regular expression/,
    ]) {
      assert.ok(messages.some((m) => expected.test(m)), `missing ${expected}\n${messages.join('\n')}`);
    }
  });

  it('refuses an OAuth client secret from the environment, or a token endpoint without TLS, outside development', () => {
    const oauth = (tokenUrl: string, secret: string) =>
      `version: 1\n${ISSUER}connections:\n  tools: { kind: mcp, upstream: "https://mcp.example/mcp", credential: { oauth: { tokenUrl: "${tokenUrl}", clientId: c, clientSecret: ${secret} } } }\n`;
    const messages = problems(load(oauth('http://login.example/token', '{ env: S }'))).map((p) => `${p.path}: ${p.message}`);
    assert.ok(messages.some((m) => /connections\.tools\.credential\.oauth\.clientSecret\.env: .*only allowed when PORTCULLIS_ENV=development/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /connections\.tools\.credential\.oauth\.tokenUrl: must be https/.test(m)), messages.join('\n'));
    assert.ok(load(oauth('https://login.example/token', '{ keyVault: { vault: "https://v.vault.azure.net", secret: mcp-client } }')).ok);
    assert.ok(load(oauth('http://127.0.0.1:9/token', '{ env: S }'), 'development').ok);
    assert.equal(load(oauth('https://login.example/token', '{ env: S, keyVault: { vault: "https://v.vault.azure.net", secret: x } }'), 'development').ok, false, 'one secret source');
  });

  it('allows environment-variable credentials in development', () => {
    const text = `version: 1\n${ISSUER}connections:\n  api: { kind: http, upstream: "https://a.example", credential: { env: T } }\n`;
    assert.ok(load(text, 'development').ok);
  });

  it('refuses none and HS256 for issuers', () => {
    const text = `version: 1
issuers:
  - issuer: https://issuer.example
    audience: portcullis
    jwksUri: https://issuer.example/jwks
    algorithms: [none, HS256]
connections: {}
`;
    const found = problems(load(text));
    assert.equal(found.filter((p) => p.path.startsWith('issuers[0].algorithms')).length, 2);
  });

  it('replaces ${NAME} from the environment and reports unset names where they are used', () => {
    const text = `version: 1
issuers:
  - issuer: \${ISSUER_URL}
    audience: portcullis
    jwksUri: \${ISSUER_URL}/jwks
connections:
  api: { kind: http, upstream: "\${API_URL}" }
`;
    const ok = load(text, 'production', { ISSUER_URL: 'https://issuer.example', API_URL: 'https://api.example' });
    assert.ok(ok.ok);
    assert.equal(ok.policy.issuers[0]!.jwksUri, 'https://issuer.example/jwks');
    const found = problems(load(text, 'production', { ISSUER_URL: 'https://issuer.example' }));
    assert.equal(found[0]!.path, 'connections.api.upstream');
    assert.match(found[0]!.message, /\$\{API_URL\}, which is not set/);
    assert.equal(found[0]!.line, 7);
  });

  it('reports YAML syntax errors with their position', () => {
    const found = problems(load('version: 1\nissuers: [\n  - x: : :\n'));
    assert.ok(found[0]!.line! >= 2);
  });

  it('requires at least one issuer and a version', () => {
    const found = problems(load('connections: {}\nissuers: []\n'));
    const paths = found.map((p) => p.path);
    assert.ok(paths.includes('version'));
    assert.ok(paths.includes('issuers'));
  });

  it('formats problems as file:line:col  path  message', () => {
    const found = problems(load(`version: 1\n${ISSUER}connections: {}\nrules:\n  - { name: x, action: nope }\n`));
    assert.match(formatProblems(found, 'policy.yaml'), /^policy\.yaml:8:\d+  rules\[0\]\.action  expected one of/m);
  });

  it('loads the example policy that portcullis dev runs', () => {
    const text = readFileSync(new URL('../../cli/dev/example/policy.yaml', import.meta.url), 'utf8');
    const variables = {
      PORTCULLIS_DEV_ISSUER: 'http://127.0.0.1:7071/api/dev/issuer',
      EXAMPLE_API_URL: 'http://127.0.0.1:1',
      EXAMPLE_LLM_URL: 'http://127.0.0.1:2',
      EXAMPLE_ARM_URL: 'http://127.0.0.1:3',
      EXAMPLE_MCP_URL: 'http://127.0.0.1:4/mcp',
      EXAMPLE_CLAUDE_URL: 'http://127.0.0.1:4',
      EXAMPLE_K8S_URL: 'http://127.0.0.1:4',
      EXAMPLE_SSH_PORT: '22',
      EXAMPLE_SSH_USER: 'agent',
      EXAMPLE_SSH_HOST_KEY: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    };
    // Credentials are read at forward time, not when the policy loads.
    const result = load(text, 'development', variables);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems, null, 2));
    assert.deepEqual([...new Set([...result.policy.connections.values()].map((c) => c.config.kind))].sort(), ['anthropic', 'arm', 'http', 'kubernetes', 'mcp', 'mysql', 'openai', 'postgres', 'ssh']);
  });
});

describe('policy loader: unset variables in URL fields', () => {
  it('reports them as problems instead of crashing', () => {
    const text = `version: 1
issuers:
  - issuer: \${MISSING_ISSUER}
    audience: portcullis
    jwksUri: \${MISSING_ISSUER}/jwks.json
connections: {}
`;
    const result = loadPolicy(text, { env: 'production', variables: {} });
    assert.equal(result.ok, false);
    const paths = (result as { problems: Array<{ path: string }> }).problems.map((p) => p.path);
    assert.ok(paths.includes('issuers[0].issuer'));
    assert.ok(paths.includes('issuers[0].jwksUri'));
  });
});

describe('policy loader: every problem in one pass', () => {
  it('reports the whole-document checks on the valid parts even when other parts break the schema', () => {
    const found = problems(
      load(`version: 1
${ISSUER}connections:
  api: { kind: htp, upstream: "https://x.example" }
  web: { kind: http, upstream: "https://x.example", groups: notalist }
rules:
  - { name: r1, match: { connections: nope, path: "/x[" }, action: allow }
  - { name: r1, match: { body: "(" }, action: review }
  - { name: r3, match: { subjects: "{a,b", connections: [web] }, action: deny, bogus: 1 }
`),
    );
    const byPath = new Map(found.map((p) => [p.path, p.message]));
    assert.equal(byPath.get('connections.api.kind'), `expected one of ${KINDS}; got "htp"`);
    assert.match(byPath.get('connections.web.groups')!, /expected array/);
    assert.equal(byPath.get('rules[0].match.connections'), 'no connection is named "nope"');
    assert.match(byPath.get('rules[0].match.path')!, /is not a valid glob: "\[" .* no closing "\]"/);
    assert.match(byPath.get('rules[1].name')!, /already the name of rules\[0\]/);
    assert.match(byPath.get('rules[1].review')!, /is required/);
    assert.match(byPath.get('rules[1].match.body')!, /not a valid regular expression/);
    assert.match(byPath.get('rules[2].match.subjects')!, /is not a valid glob: "\{" .* no closing "\}"/);
    assert.equal(byPath.get('rules[2].bogus'), 'is not a known field');
    assert.ok(!byPath.has('rules[2].match.connections[0]'), 'a connection that is there but invalid is not "unknown"');
    assert.ok(found.every((p) => p.line !== undefined), 'each problem has its line');
  });

  it('names the valid kinds when a connection has none', () => {
    const found = problems(load(`version: 1\n${ISSUER}connections:\n  api: { upstream: "https://x.example" }\n`));
    assert.equal(found[0]!.message, `is required: one of ${KINDS}`);
  });
});
