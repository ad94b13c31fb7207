import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { CliIo } from '../../io.js';
import { main } from '../../main.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const EXAMPLE = 'cli/dev/example/policy.yaml';
const EXAMPLE_TESTS = 'cli/dev/example/policy.test.yaml';

async function portcullis(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, isTTY: false, env: {}, cwd: root };
  const code = await main(args, io);
  return { code, out, err };
}

// Flow style, five lines as ever, so that the positions the problem tests expect stay put.
const VARIABLES = `variables: { PORTCULLIS_DEV_ISSUER: "https://dev-issuer.test", EXAMPLE_K8S_URL: "https://k8s.example.test",
  EXAMPLE_API_URL: "https://api.example.test", EXAMPLE_LLM_URL: "https://llm.example.test", EXAMPLE_SSH_PORT: "22",
  EXAMPLE_ARM_URL: "https://management.example.test", EXAMPLE_CLAUDE_URL: "https://claude.example.test", EXAMPLE_SSH_USER: agent,
  EXAMPLE_MCP_URL: "https://mcp.example.test/mcp", EXAMPLE_SSH_HOST_KEY: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
  }
`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-policy-test-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const file = async (name: string, text: string) => {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
};

describe('portcullis policy test', () => {
  it('passes every case of the example policy\'s tests (exit 0)', async () => {
    const { code, out } = await portcullis('policy', 'test', '--env', 'development', EXAMPLE, EXAMPLE_TESTS);
    assert.equal(code, 0, out);
    assert.match(out, /^pass {2}cli\/dev\/example\/policy\.test\.yaml {2}agents read items {2}allow by read-example-api$/m);
    assert.match(out, /^(\d+) cases: \1 passed, 0 failed$/m);
    assert.doesNotMatch(out, /^FAIL/m);
  });

  it('fails a case whose action or rule differs, says expected and actual, and writes JUnit XML (exit 1)', async () => {
    const tests = await file(
      'failing.yaml',
      `${VARIABLES}principals:
  agent: { sub: agent-1, groups: [agents] }
cases:
  - name: deletes are allowed
    principal: agent
    connection: example-api
    request: { method: DELETE, path: /items/1 }
    expect: { action: allow }
  - name: reads by the wrong rule
    principal: agent
    connection: example-api
    request: { method: GET, path: /items/1 }
    expect: { action: allow, rule: write-items }
  - name: "drops are denied <&>"
    principal: { sub: agent-1, groups: [agents], repository: my-org/app }
    connection: example-db
    request: { sql: "DROP TABLE orders" }
    expect: { action: deny, rule: block-ddl-example-db }
`,
    );
    const junit = join(dir, 'out.xml');
    const { code, out } = await portcullis('policy', 'test', '--env', 'development', '--junit', junit, EXAMPLE, tests);
    assert.equal(code, 1, out);
    assert.match(out, /FAIL .* deletes are allowed {2}expected allow, got review by review-deletes/);
    assert.match(out, /FAIL .* reads by the wrong rule {2}expected allow by write-items, got allow by read-example-api/);
    assert.match(out, /pass .* drops are denied <&> {2}deny by block-ddl-example-db/);
    assert.match(out, /3 cases: 1 passed, 2 failed/);
    const xml = await readFile(junit, 'utf8');
    assert.match(xml, /<testsuites name="[^"]*" tests="3" failures="2">/);
    assert.match(xml, /<testcase classname="[^"]*failing\.yaml" name="drops are denied &lt;&amp;&gt;" time="[\d.]+"\/>/);
    assert.match(xml, /<failure message="expected allow, got review by review-deletes" type="policy">/);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 3);
  });

  it('lists every problem of the test files in one run with file:line:column, and runs no case (exit 2)', async () => {
    const tests = await file(
      'bad.yaml',
      `${VARIABLES}principals:
  agent: { sub: agent-1, groups: [agents] }
cases:
  - name: http shape on a postgres connection
    principal: agent
    connection: example-db
    request: { method: GET, path: /x }
    expect: { action: allow }
  - name: unknowns
    principal: nobody
    connection: nowhere
    request: { path: /x }
    expect: { action: allow, rule: no-such-rule }
  - name: bad request and bad action
    principal: agent
    connection: example-api
    request: { path: x, verb: GET }
    expect: { action: maybe }
  - name: no principal
    connection: example-api
    request: { path: /x }
    expect: { action: deny }
`,
    );
    const { code, out } = await portcullis('policy', 'test', '--env', 'development', EXAMPLE, EXAMPLE_TESTS, tests);
    assert.equal(code, 2, out);
    const expected: Array<[number, number, string, RegExp]> = [
      [12, 5, 'cases[0].request.sql', /is required \(postgres request\)/],
      [12, 16, 'cases[0].request.method', /is not a known field \(postgres request\)/],
      [15, 5, 'cases[1].principal', /no principal is named "nobody"/],
      [16, 5, 'cases[1].connection', /no connection named "nowhere"/],
      [18, 30, 'cases[1].expect.rule', /no rule named "no-such-rule"/],
      [22, 16, 'cases[2].request.path', /must start with \//],
      [22, 25, 'cases[2].request.verb', /is not a known field \(http request\)/],
      [23, 15, 'cases[2].expect.action', /expected one of "allow", "deny", "review", "refused"; got "maybe"/],
      [24, 5, 'cases[3].principal', /is required/],
    ];
    for (const [line, column, path, message] of expected) {
      const hit = out.split('\n').find((l) => l.includes(`bad.yaml:${line}:${column}  ${path}  `));
      assert.ok(hit, `no problem at ${line}:${column} ${path} in:\n${out}`);
      assert.match(hit, message);
    }
    assert.match(out, /10 problems; no case was run/);
    assert.doesNotMatch(out, /^pass/m);
  });

  it('reports the policy\'s own problems and a missing variable as bad input (exit 2)', async () => {
    const tests = await file('novars.yaml', 'cases:\n  - { name: x, principal: { sub: a }, connection: example-api, request: { path: / }, expect: { action: deny } }\n');
    const { code, out } = await portcullis('policy', 'test', '--env', 'development', EXAMPLE, tests);
    assert.equal(code, 2);
    assert.match(out, /policy\.yaml:\d+:\d+ {2}issuers\[0\]\.issuer {2}uses \$\{PORTCULLIS_DEV_ISSUER\}, which is not set/);
  });

  it('refuses a call without test files as usage (exit 2)', async () => {
    const { code, err } = await portcullis('policy', 'test', EXAMPLE);
    assert.equal(code, 2);
    assert.match(err, /expected the policy and at least one test file/);
  });
});

describe('portcullis policy check (shares the policy loading)', () => {
  it('prints a summary for a good policy (exit 0) and every problem otherwise (exit 2)', async () => {
    const vars = ['PORTCULLIS_DEV_ISSUER=https://i.test', 'EXAMPLE_API_URL=https://a.test', 'EXAMPLE_LLM_URL=https://l.test', 'EXAMPLE_ARM_URL=https://arm.test', 'EXAMPLE_CLAUDE_URL=https://c.test', 'EXAMPLE_MCP_URL=https://m.test/mcp', 'EXAMPLE_K8S_URL=https://k8s.test', 'EXAMPLE_SSH_PORT=22', 'EXAMPLE_SSH_USER=agent', 'EXAMPLE_SSH_HOST_KEY=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'].flatMap((v) => ['--var', v]);
    const ok = await portcullis('policy', 'check', '--env', 'development', ...vars, EXAMPLE);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^cli\/dev\/example\/policy\.yaml: ok — 1 issuer, 9 connections, 32 rules, recording strict$/m);
    const bad = await portcullis('policy', 'check', '--env', 'production', ...vars, EXAMPLE);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /connections\.example-api\.credential\.env {2}environment-variable credentials are only allowed/);
    assert.match(bad.out, /^10 problems$/m);
  });
});

describe('portcullis policy: files as they are written', () => {
  const policy = (rules: string) => `version: 1
issuers:
  - { issuer: https://issuer.example, audience: api://portcullis, jwksUri: https://issuer.example/jwks }
connections:
  api: { kind: http, upstream: https://api.example.com, groups: [agents] }
rules:
${rules}`;

  it('refuses a policy or a test file that is not UTF-8 at the bad byte, not as U+FFFD (exit 2)', async () => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    const pol = join(dir, 'latin1.yaml');
    await writeFile(pol, latin1(policy('  - { name: no-passwords, match: { connections: api, body: "contraseña" }, action: deny }\n')));
    const check = await portcullis('policy', 'check', pol);
    assert.equal(check.code, 2, check.out);
    assert.match(check.out, /latin1\.yaml:7:69 {2}\(document\) {2}is not UTF-8: byte 0xF1/);

    const good = await file('utf8.yaml', policy('  - { name: read, match: { connections: api }, action: allow }\n'));
    const tests = join(dir, 'latin1-tests.yaml');
    await writeFile(tests, latin1('cases:\n  - { name: señal, principal: { sub: a, groups: [agents] }, connection: api, request: { path: / }, expect: { action: allow } }\n'));
    const test = await portcullis('policy', 'test', good, tests);
    assert.equal(test.code, 2, test.out);
    assert.match(test.out, /latin1-tests\.yaml:2:15 {2}\(document\) {2}is not UTF-8: byte 0xF1/);
  });

  it('reads a policy and tests whose anchors are used more than a hundred times (exit 0)', async () => {
    const rules = Array.from({ length: 120 }, (_, i) =>
      i === 0 ? '  - { name: r0, match: { path: /p0 }, action: review, review: &rv { groups: [reviewers] } }' : `  - { name: r${i}, match: { path: /p${i} }, action: review, review: *rv }`,
    );
    const pol = await file('aliases.yaml', policy(`${rules.join('\n')}\n`));
    const cases = Array.from({ length: 120 }, (_, i) =>
      i === 0 ? '  - { name: c0, principal: &p { sub: a, groups: [agents] }, connection: api, request: { path: /p0 }, expect: { action: review } }' : `  - { name: c${i}, principal: *p, connection: api, request: { path: /p${i} }, expect: { action: review } }`,
    );
    const tests = await file('aliases-tests.yaml', `cases:\n${cases.join('\n')}\n`);
    const check = await portcullis('policy', 'check', pol);
    assert.equal(check.code, 0, check.out);
    const test = await portcullis('policy', 'test', pol, tests);
    assert.equal(test.code, 0, test.out);
    assert.match(test.out, /^120 cases: 120 passed, 0 failed$/m);
  });
});

describe('portcullis policy explain', () => {
  it('shows every rule, the first field that did not match and why, then the winner and why', async () => {
    const { code, out } = await portcullis('policy', 'explain', '--env', 'development', EXAMPLE, '--case', `${EXAMPLE_TESTS}:admin is off limits, even to reads`);
    assert.equal(code, 0, out);
    assert.match(out, /^ {2}matched {2}read-example-api +allow$/m);
    assert.match(out, /^ {2}no {7}write-items +allow {3}method: GET not in \[POST, PUT, PATCH\]$/m);
    assert.match(out, /^ {2}no {7}use-example-models +allow {3}connections: example-api not in \[example-llm\]$/m);
    assert.match(out, /^ {2}matched {2}block-admin +deny$/m);
    assert.match(out, /^decision {3}deny by block-admin: deny beats allow \(deny > review > allow\) over read-example-api$/m);
    assert.match(out, /^gate .*\[agents\]: passed$/m);
  });

  it('explains a request given by flags, as JSON', async () => {
    const vars = ['PORTCULLIS_DEV_ISSUER=https://i.test', 'EXAMPLE_API_URL=https://a.test', 'EXAMPLE_LLM_URL=https://l.test', 'EXAMPLE_ARM_URL=https://arm.test', 'EXAMPLE_CLAUDE_URL=https://c.test', 'EXAMPLE_MCP_URL=https://m.test/mcp', 'EXAMPLE_K8S_URL=https://k8s.test', 'EXAMPLE_SSH_PORT=22', 'EXAMPLE_SSH_USER=agent', 'EXAMPLE_SSH_HOST_KEY=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'].flatMap((v) => ['--var', v]);
    const { code, out } = await portcullis(
      'policy', 'explain', '--env', 'development', ...vars, EXAMPLE, '--json',
      '--connection', 'example-db', '--sub', 'bob', '--groups', 'agents', '--sql', 'UPDATE orders SET status = $1', '--param', 'x',
    );
    assert.equal(code, 0, out);
    const e = JSON.parse(out) as { decision: { action: string; rule: string }; rules: Array<{ name: string; matched: boolean; mismatch?: { field: string; why: string } }> };
    assert.deepEqual([e.decision.action, e.decision.rule], ['review', 'review-risky-sql']);
    assert.deepEqual(e.rules.find((r) => r.name === 'read-example-db')!.mismatch, { field: 'flags', why: '[write, no-where] has none of [read-only]' });
    assert.equal(e.rules.find((r) => r.name === 'write-rows-example-db')!.matched, true);
  });

  it('needs a case name when the file has several cases', async () => {
    const { code, err } = await portcullis('policy', 'explain', '--env', 'development', EXAMPLE, '--case', EXAMPLE_TESTS);
    assert.equal(code, 2);
    assert.match(err, /say which: --case .*:NAME/);
  });
});

describe('docs/policy-testing.md', () => {
  it('shows docs/examples/policy-ci.yml, a workflow that runs check, test and what-if on pull requests that change the policy', async () => {
    const doc = await readFile(join(root, 'docs/policy-testing.md'), 'utf8');
    const example = await readFile(join(root, 'docs/examples/policy-ci.yml'), 'utf8');
    const block = /## In CI[\s\S]*?```yaml\n([\s\S]*?)```\n/.exec(doc)?.[1];
    assert.equal(block, example.slice(example.indexOf('name: policy')));
    const workflow = parseYaml(example) as { on: { pull_request: { paths: string[] } }; jobs: { policy: { steps: Array<{ run?: string }> } } };
    assert.ok(workflow.on.pull_request.paths.length > 0);
    const runs = workflow.jobs.policy.steps.map((s) => s.run ?? '').join('\n');
    for (const command of ['policy check', 'policy test', 'policy what-if']) assert.match(runs, new RegExp(`npx portcullis ${command} `));
  });
});
