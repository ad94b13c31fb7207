// Commands in containers: agents POST { namespace, pod, container?, command } to
// /api/exec/{connection} on a kubernetes connection; the gateway judges the command (as
// pods/exec/create, its programs parsed like an ssh command's), runs it through the API server's
// exec websocket itself, and answers stdout and stderr masked, recorded like ssh. Behind it, the
// stand-in API server (cli/dev/example/kubernetes.ts), which runs the command on this machine.
// The connection has credential tiers: reads go with a read-only service account's token.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startExampleKubernetes, type ExampleKubernetes } from '../../../cli/dev/example/kubernetes.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  cluster:
    kind: kubernetes
    upstream: \${K8S_URL}
    credentials:
      read: { env: K8S_READ_TOKEN }
      write: { env: K8S_TOKEN }
    groups: [agents]
    execTimeoutSeconds: 20
  old-cluster:
    kind: kubernetes
    upstream: \${K8S_V4_URL}
    credential: { env: K8S_V4_TOKEN }
    groups: [agents]
rules:
  - name: reads
    match: { connections: cluster, actions: ["*/get", "*/list"] }
    action: allow
  - name: look-around
    match: { actions: core/pods/exec/create, resources: "default/*", command: { program: [sh, echo, cat, printenv, wc, ls, sleep, exit, nonexistent-tool] } }
    action: allow
  - name: no-recursive-rm
    match: { actions: core/pods/exec/create, command: { program: rm, args: "(^| )-[a-zA-Z]*[rR]" } }
    action: deny
    message: Recursive deletes are not for agents
  - name: review-prod-exec
    match: { actions: core/pods/exec/create, resources: "prod/*" }
    action: review
    message: Commands in production need a human
    review: { groups: [operators] }
`;

const secret = `ghp_${randomBytes(18).toString('hex')}`;
const session = `k8s-exec-${randomUUID()}`;
let api: ExampleKubernetes;
let old: ExampleKubernetes;
let stack: TestStack;
let token: string;

before(async () => {
  api = await startExampleKubernetes({ secretValue: secret });
  old = await startExampleKubernetes({ secretValue: secret, execProtocols: ['v4.channel.k8s.io'] });
  try {
    stack = await startTestStack({
      policy: POLICY,
      env: { K8S_URL: api.url, K8S_TOKEN: api.token, K8S_READ_TOKEN: api.readToken, K8S_V4_URL: old.url, K8S_V4_TOKEN: old.token },
    });
    token = await stack.token('agent-x', ['agents']);
  } catch (error) {
    await api.close();
    await old.close();
    throw error;
  }
});

after(async () => {
  await stack?.stop();
  await api?.close();
  await old?.close();
});

async function exec(body: unknown, options: { connection?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${stack.url}/api/exec/${options.connection ?? 'cluster'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-portcullis-session': session, ...options.headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), location: res.headers.get('location'), text: await res.text() };
}

const execs = (server: ExampleKubernetes) => server.received.filter((r) => r.url.includes('/exec'));

describe('kubernetes exec through the gateway', () => {
  it('runs an argument vector in the pod and answers stdout, stderr and the exit code', async () => {
    const ok = await exec({ namespace: 'default', pod: 'web-1', container: 'web', command: ['sh', '-c', 'echo "$HOSTNAME"; echo oops >&2; exit 3'] });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(JSON.parse(ok.text), { stdout: 'web-1\n', stderr: 'oops\n', exitCode: 3, signal: null });
    const sent = new URL(execs(api).at(-1)!.url, 'http://x');
    assert.deepEqual(sent.searchParams.getAll('command'), ['sh', '-c', 'echo "$HOSTNAME"; echo oops >&2; exit 3']);
    assert.equal(sent.searchParams.get('container'), 'web');
  });

  it('runs a string command with sh -c, and passes stdin (v5 closes it)', async () => {
    const res = await exec({ namespace: 'default', pod: 'web-1', command: 'wc -c', stdin: 'hello' });
    assert.equal(res.status, 200, res.text);
    const body = JSON.parse(res.text);
    assert.equal(body.stdout.trim(), '5');
    assert.equal(body.exitCode, 0);
  });

  it('masks a secret in the output, and records the masked answer', async () => {
    const res = await exec({ namespace: 'default', pod: 'web-1', command: ['printenv', 'DB_PASSWORD'] });
    assert.equal(res.status, 200, res.text);
    assert.ok(!res.text.includes(secret), 'the secret leaked');
    assert.equal(JSON.parse(res.text).stdout, '[MASKED:github-token]\n');

    const auditor = await stack.token('auditor-1', ['auditors']);
    const log = await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } });
    const text = await log.text();
    assert.equal(log.status, 200, text);
    assert.ok(!text.includes(secret), 'the secret reached the session log');
    const events = (JSON.parse(text) as { events: Array<{ type: string; operation?: { actions: string[] }; findings?: Array<{ rule: string }> }> }).events;
    assert.ok(events.some((e) => e.type === 'response' && e.findings?.some((f) => f.rule === 'github-token')), JSON.stringify(events.map((e) => e.type)));
    assert.ok(events.some((e) => e.type === 'decision'));
  });

  it('streams NDJSON events, then the exit code', async () => {
    const res = await exec({ namespace: 'default', pod: 'web-1', command: ['sh', '-c', 'echo one; printenv DB_PASSWORD; echo two >&2'] }, { headers: { accept: 'application/x-ndjson' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.type, 'application/x-ndjson');
    assert.ok(!res.text.includes(secret), 'the secret leaked');
    const events = res.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(events.filter((e) => e.stream === 'stdout').map((e) => e.text).join(''), 'one\n[MASKED:github-token]\n');
    assert.equal(events.filter((e) => e.stream === 'stderr').map((e) => e.text).join(''), 'two\n');
    assert.deepEqual(events.at(-1), { exitCode: 0, signal: null });
  });

  it('denies rm -rf however it is wrapped, and sends nothing to the API server', async () => {
    const before = execs(api).length;
    for (const command of [['rm', '-rf', '/tmp/x'], ['sh', '-c', 'ls; rm -fr /tmp/x'], 'echo ok && rm -Rf /tmp/x']) {
      const res = await exec({ namespace: 'default', pod: 'web-1', command });
      assert.equal(res.status, 403, `${JSON.stringify(command)}: ${res.text}`);
      assert.equal(JSON.parse(res.text).rule, 'no-recursive-rm');
    }
    const unreadable = await exec({ namespace: 'default', pod: 'web-1', command: 'echo "unterminated' });
    assert.equal(unreadable.status, 403, unreadable.text);
    assert.equal(JSON.parse(unreadable.text).rule, 'connection-flags');
    assert.equal(execs(api).length, before);
  });

  it('answers an API server that refuses the exec (no such pod) as exec-refused, with its message', async () => {
    const res = await exec({ namespace: 'default', pod: 'nope', command: ['ls'] });
    assert.equal(res.status, 502, res.text);
    const problem = JSON.parse(res.text);
    assert.equal(problem.type, 'urn:portcullis:problem:exec-refused');
    assert.match(problem.detail, /pods "nope" not found/);
    assert.equal(problem.upstreamStatus, 404);
    // A command the container lacks: the Status's message on stderr, no exit code.
    const missing = await exec({ namespace: 'default', pod: 'web-1', command: ['nonexistent-tool'] });
    assert.equal(missing.status, 200, missing.text);
    assert.match(JSON.parse(missing.text).stderr, /executable file not found/);
    assert.equal(JSON.parse(missing.text).exitCode, null);
  });

  it('speaks v4.channel.k8s.io to an API server before 1.30', async () => {
    const res = await exec({ namespace: 'default', pod: 'web-1', command: ['sh', '-c', 'echo v4; exit 2'] }, { connection: 'old-cluster' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), { stdout: 'v4\n', stderr: '', exitCode: 2, signal: null });
  });

  it('holds a command in prod for review, and runs it once approved', async () => {
    api.objects.set('core/pods/prod/db-0', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: 'prod' }, spec: { containers: [{ name: 'db', image: 'postgres' }] } });
    const before = execs(api).length;
    const held = await exec({ namespace: 'prod', pod: 'db-0', command: ['echo', 'migrated'] });
    assert.equal(held.status, 202, held.text);
    assert.equal(execs(api).length, before, 'a held exec must not reach the API server');
    const id = (JSON.parse(held.text) as { id: string }).id;
    const operator = await stack.token('olga', ['operators']);
    const decided = await fetch(`${stack.url}/api/approvals/${id}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', reason: 'planned migration' }),
    });
    assert.equal(decided.status, 200, await decided.text());
    let outcome: Response | undefined;
    for (let i = 0; i < 300; i++) {
      outcome = await fetch(new URL(held.location!, stack.url), { headers: { authorization: `Bearer ${token}` } });
      if (outcome.status !== 202) break;
      await outcome.body?.cancel();
      await new Promise((r) => setTimeout(r, 200));
    }
    const text = await outcome!.text();
    assert.equal(outcome!.status, 200, text);
    assert.deepEqual(JSON.parse(text), { stdout: 'migrated\n', stderr: '', exitCode: 0, signal: null });
    assert.equal(execs(api).length, before + 1);
  });

  it('uses the read tier\'s token for reads and the write tier\'s for exec', async () => {
    const list = await fetch(`${stack.url}/api/proxy/cluster/api/v1/namespaces/default/pods`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(list.status, 200, await list.text());
    assert.equal(api.received.filter((r) => r.url.startsWith('/api/v1/namespaces/default/pods') && !r.url.includes('/exec')).at(-1)?.token, 'read');
    assert.ok(execs(api).length > 0);
    assert.ok(execs(api).every((r) => r.token === 'write'));
  });
});
