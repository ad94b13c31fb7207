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

const load = (text: string | Uint8Array, env: 'development' | 'production' = 'production', variables: Record<string, string> = {}) =>
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

describe('policy loader: reading the YAML', () => {
  const HTTP = `version: 1\n${ISSUER}connections:\n  api: { kind: http, upstream: "https://api.example", groups: [agents] }\n`;
  const bytes = (...parts: Array<string | number[]>) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

  it('loads a policy whose rules share an anchor more than a hundred times (yaml refuses that by default)', () => {
    const rules = Array.from({ length: 150 }, (_, i) =>
      i === 0 ? '  - { name: r0, action: review, review: &rv { groups: [reviewers], timeout: 30m } }' : `  - { name: r${i}, action: review, review: *rv }`,
    );
    const result = load(`${HTTP}rules:\n${rules.join('\n')}\n`);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.policy.rules[149]!.review!.timeoutMs, 30 * 60_000);
  });

  it('reports aliases that expand without bound, refer to nothing or to their own node, where they are, instead of throwing', () => {
    let laughs = `${HTTP}x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n`;
    for (let i = 1; i <= 8; i++) laughs += `x${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const [expands] = problems(load(laughs));
    assert.match(expands!.message, /aliases expand this document past 100000 values/);
    assert.equal(expands!.line, 12, 'the alias that crosses the bound');
    assert.equal(expands!.path, 'x4[7]');

    const [nothing] = problems(load(`${HTTP}rules:\n  - { name: a, action: review, review: *nope }\n`));
    assert.deepEqual([nothing!.path, nothing!.line, nothing!.column, nothing!.message], ['rules[0].review', 9, 40, '*nope refers to no anchor &nope before it']);
    const [cycle] = problems(load(`${HTTP}extra: &x [1, *x]\n`));
    assert.match(cycle!.message, /inside the node it refers to/);
  });

  it('refuses a file that is not UTF-8, at the line and column of the first bad byte', () => {
    // Latin-1 ñ: read leniently it becomes U+FFFD and the deny rule never matches contraseña.
    const text = `${HTTP}rules:\n  - { name: no-passwords, match: { body: "contrase`;
    const found = problems(load(bytes(text, [0xf1], 'a" }, action: deny }\n')));
    assert.equal(found.length, 1);
    assert.deepEqual([found[0]!.line, found[0]!.column], [9, 51]);
    assert.match(found[0]!.message, /is not UTF-8: byte 0xF1 .* save the file as UTF-8/);
    // The same text in UTF-8 loads, and the rule reads ñ.
    const ok = load(bytes(text, 'ña" }, action: deny }\n'));
    assert.ok(ok.ok);
    assert.ok(ok.policy.rules[0]!.match.body!.test('la contraseña'));
    // A character cut short at the end of the file is reported at its first byte.
    assert.deepEqual(problems(load(bytes('version: 1\n# €', [0xe2, 0x82])))[0]!.column, 4);
  });

  it('takes 1 and "1" as the same key, as the loaded object does', () => {
    const found = problems(load(`${HTTP}  1: { kind: http, upstream: "https://a.example" }\n  "1": { kind: http, upstream: "https://b.example" }\n`));
    assert.deepEqual(
      found.map((p) => [p.path, p.line, p.message]),
      [['connections.1', 9, 'this key is already in the mapping (keys are compared as written: 1 and "1" are the same key)']],
    );
  });

  it('reports unknown tags, and still checks the rest of the document', () => {
    const found = problems(
      load(`${HTTP}rules:
  - { name: a, match: { body: !!js/regexp /secret/i }, action: deny }
  - { name: b, action: !custom allow, bogus: 1 }
`),
    );
    assert.deepEqual(
      found.map((p) => `${p.line}:${p.column} ${p.path} ${p.message.split(':')[0]}`),
      ['9:31 rules[0].match.body unknown tag', '10:24 rules[1].action unknown tag', '10:39 rules[1].bogus is not a known field'],
    );
    assert.match(found[0]!.message, /unknown tag: !!js\/regexp/);
  });

  it('reports a duplicate key with the schema problems of the same document', () => {
    const found = problems(
      load(`${HTTP.replace('groups: [agents] }', 'groups: [agents], groups: [everyone] }')}recording: maybe\nunknownTopLevel: 1\n`),
    );
    assert.deepEqual(found.map((p) => p.path), ['connections.api.groups', 'recording', 'unknownTopLevel']);
  });

  it('keeps checking a rule whose fields break the schema: its other fields, its name against the others', () => {
    const found = problems(
      load(`${HTTP}rules:
  - { name: read, match: { connections: api, body: "(?=lookahead)", method: DELTE }, action: allw }
  - { name: read, match: { connections: api }, action: deny }
  - { name: held, action: review, review: { groups: [] } }
`),
    );
    assert.deepEqual(found.map((p) => p.path), ['rules[0].match.body', 'rules[0].match.method', 'rules[0].action', 'rules[1].name', 'rules[2].review.groups']);
  });

  it('reports any ${ that is not ${NAME}, and leaves ${ in a variable\'s value alone', () => {
    const text = `${HTTP}rules:\n  - { name: a, match: { subjects: ["\${A:-b}", "\${ A }", "\${a-b}", "\${A}"] }, action: deny }\n`;
    const found = problems(load(text, 'production', { A: 'x' }));
    assert.deepEqual(
      found.map((p) => p.path),
      ['rules[0].match.subjects[0]', 'rules[0].match.subjects[1]', 'rules[0].match.subjects[2]'],
    );
    assert.match(found[0]!.message, /^"\$\{A:-b\}" is not a variable reference: write \$\{NAME\}/);
    const ok = load(`${HTTP}rules:\n  - { name: a, match: { subjects: "\${A}" }, action: deny }\n`, 'production', { A: '${literal}' });
    assert.ok(ok.ok);
  });
});

describe('policy loader: risk flags', () => {
  const policy = (flags: string, connections = 'db') => `version: 1
${ISSUER}connections:
  db: { kind: postgres, credential: { env: DB_URL } }
  shell: { kind: ssh, host: h.example, user: u, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", credential: { env: K } }
rules:
  - { name: r, match: { connections: ${connections}, flags: ${flags} }, action: deny }
`;

  it('accepts the flags the rule\'s connections set', () => {
    for (const [flags, connections] of [['[ddl, no-where]', 'db'], ['sudo', 'shell'], ['[ddl, sudo]', '"*"'], ['[ddl, sudo]', '[db, shell]']]) {
      const result = load(policy(flags!, connections), 'development');
      assert.ok(result.ok, `${flags} on ${connections}: ${JSON.stringify(!result.ok && result.problems)}`);
    }
  });

  it('reports a flag no kind sets, naming the ones the rule\'s connections set', () => {
    const [typo] = problems(load(policy('[dll]'), 'development'));
    assert.equal(typo!.path, 'rules[0].match.flags[0]');
    assert.equal(typo!.line, 10);
    assert.match(typo!.message, /^"dll" is not a flag postgres connections set; known: read-only, write, ddl, /);
  });

  it('reports a flag that only other kinds set', () => {
    const [other] = problems(load(policy('sudo'), 'development'));
    assert.equal(other!.path, 'rules[0].match.flags');
    assert.match(other!.message, /^"sudo" is set only on ssh, kubernetes connections, and this rule's connections are postgres: it never matches$/);
  });

  it('checks a rule without connections against every kind', () => {
    const text = `version: 1\n${ISSUER}connections: {}\nrules:\n  - { name: r, match: { flags: [tools, nope] }, action: deny }\n`;
    const found = problems(load(text));
    assert.deepEqual(found.map((p) => p.path), ['rules[0].match.flags[1]']);
    assert.match(found[0]!.message, /^"nope" is not a flag any connection kind sets; known: .*\bddl\b.*\bsudo\b/);
  });
});

describe('policy loader: review timeouts', () => {
  const policy = (timeout: string, approvals = '1h') =>
    `version: 1\n${ISSUER}approvals: { timeout: ${approvals} }\nconnections: {}\nrules:\n  - { name: r, action: review, review: { groups: [reviewers], timeout: ${timeout} } }\n`;

  it('accepts 1s to 30d', () => {
    for (const t of ['1s', '90s', '30d', '720h']) assert.ok(load(policy(t, t)).ok, t);
  });

  it('refuses 0s and timeouts past 30 days (an expiry no Date holds), in rules and approvals', () => {
    for (const t of ['0s', '31d', '999999999d', '99999999999999999999999s']) {
      const found = problems(load(policy(t, t)));
      assert.deepEqual(
        found.map((p) => `${p.path}: ${p.message}`),
        ['approvals.timeout: must be between 1s and 30d', 'rules[0].review.timeout: must be between 1s and 30d'],
        t,
      );
    }
  });
});
