// The kubernetes connection with the real kubectl, unchanged: a kubeconfig whose server is the
// gateway (over HTTPS, `portcullis dev --tls`'s local CA) and whose token is the agent's. Behind the
// gateway, the stand-in API server (cli/dev/example/kubernetes.ts) — no real one runs here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startExampleKubernetes, type ExampleKubernetes } from '../../../cli/dev/example/kubernetes.js';
import { sessionIdFor } from '../../../shared/sessions/index.js';
import { needBinary } from '../../support/binaries.js';
import { DEV_ISSUER_POLICY, loopbackApi, startTestStack, type TestStack } from '../../support/stack.js';

const kubectl = await needBinary('kubectl');

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  cluster:
    kind: kubernetes
    upstream: \${K8S_URL}
    credential: { env: K8S_TOKEN }
    groups: [agents]
rules:
  - name: discovery
    match: { connections: cluster, actions: ["discovery/get", "nonresource/get"] }
    action: allow
  - name: reads
    match: { connections: cluster, actions: ["*/get", "*/list", "*/watch"] }
    action: allow
  - name: apply-configmaps
    match: { connections: cluster, actions: core/configmaps/patch, resources: "default/*" }
    action: allow
  - name: review-deployment-changes
    match: { connections: cluster, actions: ["apps/deployments/patch", "apps/deployments/delete"] }
    action: review
    review: { groups: [operators] }
  - name: review-deletes
    match: { connections: cluster, actions: ["*/delete", "*/deletecollection"] }
    action: review
    message: Deleting from the cluster needs a human
    review: { groups: [operators] }
`;

const secretValue = `s3cr3t-${randomBytes(12).toString('hex')}`;
let api: ExampleKubernetes;
let stack: TestStack;
let dir: string;
let kubeconfig: string;
let agentToken: string;

before(async () => {
  if (kubectl.skip) return;
  api = await startExampleKubernetes({ secretValue });
  try {
    stack = await startTestStack({ policy: POLICY, tls: true, env: { K8S_URL: api.url, K8S_TOKEN: api.token } });
    dir = await mkdtemp(join(tmpdir(), 'portcullis-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig');
    const token = (agentToken = await stack.token('agent-k', ['agents'], { ttlSeconds: 3600 }));
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'portcullis', cluster: { server: `${stack.url}/api/proxy/cluster`, 'certificate-authority': stack.tls!.caPath } }],
        users: [{ name: 'agent', user: { token } }],
        contexts: [{ name: 'portcullis', context: { cluster: 'portcullis', user: 'agent', namespace: 'default' } }],
        'current-context': 'portcullis',
      }),
    );
  } catch (error) {
    await api.close();
    throw error;
  }
});

after(async () => {
  await stack?.stop();
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectl.path!, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('kubectl through the gateway', { skip: kubectl.skip }, () => {
  it('gets pods (discovery and list allowed)', async () => {
    const res = await run('get', 'pods', '-o', 'json');
    assert.equal(res.code, 0, res.stderr);
    const pods = JSON.parse(res.stdout).items as Array<{ metadata: { name: string }; spec: { volumes: unknown[] } }>;
    assert.deepEqual(pods.map((p) => p.metadata.name), ['web-1']);
    assert.ok(api.received.some((r) => r.url.startsWith('/api/v1/namespaces/default/pods')));
    // The service account token's volume and a Secret's volume name what they mount, and hold no value: kept as written.
    assert.deepEqual(pods[0]!.spec.volumes, [
      {
        name: 'kube-api-access-x7k2p',
        projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] },
      },
      { name: 'tls', secret: { secretName: 'web-tls', defaultMode: 420 } },
    ]);
  });

  it('masks a Secret\'s data whatever it holds', async () => {
    const res = await run('get', 'secret', 'db-password', '-o', 'json');
    assert.equal(res.code, 0, res.stderr);
    assert.ok(!res.stdout.includes(Buffer.from(secretValue).toString('base64')), 'the secret leaked');
    assert.equal(JSON.parse(res.stdout).data.config, '[MASKED:kubernetes-secret]');
  });

  it('masks a list of Secrets, whose items a real API server writes without kind, as YAML, JSON and a watch', async () => {
    for (const args of [['get', 'secrets', '-o', 'yaml'], ['get', 'secrets', '-A', '-o', 'yaml'], ['get', 'secrets', '-l', 'app!=x', '-o', 'yaml'], ['get', 'secrets', '--watch', '-o', 'yaml']]) {
      const res = await run(...args);
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
      assert.ok(!res.stdout.includes(Buffer.from(secretValue).toString('base64')), `${args.join(' ')}: the secret leaked`);
      assert.match(res.stdout, /config: '\[MASKED:kubernetes-secret\]'/, args.join(' '));
      assert.match(res.stdout, /last-applied-configuration: '\[MASKED:kubernetes-secret\]'/, args.join(' '));
    }
    const json = await run('get', 'secrets', '-o', 'json');
    assert.equal(JSON.parse(json.stdout).items[0].data.config, '[MASKED:kubernetes-secret]');
  });

  it('applies a configmap server-side (allowed) and holds a deployment for review', async () => {
    const manifest = join(dir, 'cm.json');
    await writeFile(manifest, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } }));
    const res = await run('apply', '--server-side', '--validate=false', '-f', manifest);
    assert.equal(res.code, 0, res.stderr);
    assert.equal((api.objects.get('core/configmaps/default/settings')?.data as { mode: string }).mode, 'fast');

    const deployment = join(dir, 'deploy.json');
    await writeFile(deployment, JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 } }));
    await run('apply', '--server-side', '--validate=false', '-f', deployment);
    assert.equal(api.objects.has('apps/deployments/default/web'), false, 'a held apply must not reach the API server');
  });

  it('refuses exec (it needs a websocket upgrade)', async () => {
    const res = await run('exec', 'web-1', '--', 'ls');
    assert.notEqual(res.code, 0);
    assert.equal(api.received.some((r) => r.url.includes('/exec')), false);
  });

  it('holds a delete for review, and carries it out once approved', async () => {
    const res = await run('delete', 'configmap', 'settings', '--wait=false');
    assert.equal(api.objects.has('core/configmaps/default/settings'), true, `deleted before review: ${res.stdout} ${res.stderr}`);
    // kubectl prints the held request as a failure, with the rule's message and the approval.
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /^Error from server \(Forbidden\): Held for review: Deleting from the cluster needs a human\. Approval cluster\.\S+ waits for a reviewer .*\(rule review-deletes, request /);

    const auditor = await stack.token('auditor-1', ['auditors']);
    // kubectl sends no session header: the session is the one its token's claims name.
    const claims = JSON.parse(Buffer.from(agentToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const sessionId = sessionIdFor(new Headers(), { issuer: stack.issuerUrl, subject: 'agent-k', claims });
    const events = await sessionEvents(sessionId, auditor);
    const requested = events.filter((e) => e.type === 'approval.requested').map((e) => e.approval!.id);
    assert.ok(requested.length >= 1, JSON.stringify(events.map((e) => e.type)));
    const id = requested.at(-1)!;
    assert.ok(res.stderr.includes(id), res.stderr);
    // The same command again while it waits: the same approval, said the same way.
    const again = await run('delete', 'configmap', 'settings', '--wait=false');
    assert.ok(again.stderr.includes(`Approval ${id} waits`), again.stderr);
    const operator = await stack.token('olga', ['operators']);
    const decided = await internal(`/api/approvals/${id}/decision`, operator, { decision: 'approve', reason: 'cleanup' });
    assert.equal(decided.status, 200, await decided.text());
    for (let i = 0; i < 150 && api.objects.has('core/configmaps/default/settings'); i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(api.objects.has('core/configmaps/default/settings'), false, 'the approved delete was not carried out');
  });
});

const gateway = () => loopbackApi(stack);
const internal = (path: string, token: string, body?: unknown) => gateway().call(path, token, body);
const sessionEvents = (sessionId: string, auditor: string) => gateway().sessionEvents(sessionId, auditor);
