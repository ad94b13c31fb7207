// The arm connection with the Azure CLI (Debian's azure-cli), unchanged: a cloud registered whose
// resource-manager endpoint is the arm connection and whose token audience is the gateway's, the
// gateway over HTTPS with its local CA (REQUESTS_CA_BUNDLE), `az login --identity` against a
// managed-identity-style endpoint that hands out the dev issuer's tokens (the agent's own
// identity), and the ARM stand-in (cli/dev/example/arm.ts) behind the gateway. Each run has its own
// AZURE_CONFIG_DIR.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startExampleArm, TENANT_ID, type ExampleArm } from '../../../cli/dev/example/arm.js';
import { DEV_AUDIENCE } from '../../../cli/dev/issuer.js';
import { sessionIdFor } from '../../../shared/sessions/index.js';
import { needBinary } from '../../support/binaries.js';
import { DEV_ISSUER_POLICY, loopbackApi, startTestStack, type TestStack } from '../../support/stack.js';
import { startAgentIdentity, type AgentIdentity } from './agent-identity.js';

const az = await needBinary('az');

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  azure:
    kind: arm
    upstream: \${EXAMPLE_ARM_URL}
    credential: { env: EXAMPLE_ARM_TOKEN }
    groups: [agents]
rules:
  - name: reads
    match: { connections: azure, actions: "*/read" }
    action: allow
  - name: storage-keys
    match: { connections: azure, actions: Microsoft.Storage/*/listKeys/action }
    action: allow
  - name: review-deletes
    match: { connections: azure, actions: "*/delete" }
    action: review
    message: Deleting Azure resources needs a human
    review: { groups: [reviewers] }
`;

const AGENT = 'az-agent';
let arm: ExampleArm;
let stack: TestStack;
let identity: AgentIdentity;
let config: string;
let claims: Record<string, unknown>;

before(async () => {
  if (az.skip) return;
  arm = await startExampleArm({ record: true });
  try {
    stack = await startTestStack({ policy: POLICY, tls: true, env: { EXAMPLE_ARM_URL: arm.url, EXAMPLE_ARM_TOKEN: arm.token } });
    // One token per audience, as a managed identity hands out the same token until it nears expiry:
    // the agent's requests are one session (the token's jti).
    const tokens = new Map<string, Promise<string>>();
    identity = await startAgentIdentity((audience) => {
      if (!tokens.has(audience)) tokens.set(audience, stack.token(AGENT, ['agents'], { ttlSeconds: 3600, audience, claims: { tid: TENANT_ID } }));
      return tokens.get(audience)!;
    });
    claims = JSON.parse(Buffer.from((await identity.token(DEV_AUDIENCE)).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    config = await mkdtemp(join(tmpdir(), 'portcullis-az-'));
  } catch (error) {
    await stack?.stop();
    await arm.close();
    throw error;
  }
});

after(async () => {
  await identity?.close();
  await stack?.stop();
  await arm?.close();
  if (config) await rm(config, { recursive: true, force: true });
});

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: config,
    AZURE_CONFIG_DIR: config,
    REQUESTS_CA_BUNDLE: stack.tls!.caPath,
    AZURE_CORE_COLLECT_TELEMETRY: 'no',
    AZURE_CORE_SURVEY_MESSAGE: 'false',
    AZURE_CORE_NO_COLOR: 'true',
    NO_PROXY: '127.0.0.1,localhost',
    ...identity.env,
  };
  return new Promise((resolve) => {
    execFile(az.path!, args, { env, timeout: 180_000 }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('the Azure CLI through the gateway', { skip: az.skip }, () => {
  it('registers a cloud whose resource manager is the arm connection and logs in with the agent\'s identity', async () => {
    const registered = await run(
      'cloud', 'register', '--name', 'Portcullis',
      '--endpoint-resource-manager', `${stack.url}/api/proxy/azure/`,
      '--endpoint-active-directory', 'https://login.portcullis.invalid',
      '--endpoint-active-directory-resource-id', DEV_AUDIENCE,
      '--endpoint-active-directory-graph-resource-id', 'https://graph.portcullis.invalid/',
    );
    assert.equal(registered.code, 0, registered.stderr);
    const set = await run('cloud', 'set', '--name', 'Portcullis');
    assert.equal(set.code, 0, set.stderr);
    const login = await run('login', '--identity', '--output', 'json');
    assert.equal(login.code, 0, login.stderr);
    const accounts = JSON.parse(login.stdout) as Array<{ id: string; tenantId: string }>;
    assert.deepEqual(accounts.map((a) => a.id), [arm.subscriptionId]);
    assert.ok(identity.resources.length > 0 && identity.resources.every((r) => r === DEV_AUDIENCE), identity.resources.join(', '));
  });

  it('lists storage accounts (allowed)', async () => {
    const res = await run('storage', 'account', 'list', '--output', 'json');
    assert.equal(res.code, 0, res.stderr);
    const names = (JSON.parse(res.stdout) as Array<{ name: string }>).map((a) => a.name).sort();
    assert.deepEqual(names, ['examplebackups', 'examplelogs', 'examplestatic']);
    // What reached ARM carried the connection's token, never the agent's.
    assert.ok(arm.received.length > 0 && arm.received.every((r) => r.headers.authorization === `Bearer ${arm.token}`));
  });

  it('lists an account\'s keys, masked', async () => {
    const res = await run('storage', 'account', 'keys', 'list', '-g', arm.resourceGroup, '-n', 'examplelogs', '--output', 'json');
    assert.equal(res.code, 0, res.stderr);
    for (const key of arm.keys('examplelogs')) assert.ok(!res.stdout.includes(key), 'a key leaked');
    const keys = JSON.parse(res.stdout) as Array<{ keyName: string; value: string }>;
    assert.deepEqual(keys.map((k) => k.keyName), ['key1', 'key2']);
    for (const k of keys) assert.match(k.value, /^\[MASKED:[a-z-]+\]$/);
  });

  it('holds a delete for review; once approved the gateway deletes it, and the repeated command is done', async () => {
    const held = await run('storage', 'account', 'delete', '-g', arm.resourceGroup, '-n', 'examplelogs', '--yes');
    assert.notEqual(held.code, 0, `the delete ran without review: ${held.stdout}`);
    // The CLI cannot follow the gateway's 202 (it says: Operation returned an invalid status 'Accepted').
    assert.match(held.stderr, /Accepted/);
    assert.ok(!arm.received.some((r) => r.method === 'DELETE'), 'a held delete reached ARM');

    // Repeated while open: the same approval, not a second one.
    const again = await run('storage', 'account', 'delete', '-g', arm.resourceGroup, '-n', 'examplelogs', '--yes');
    assert.notEqual(again.code, 0);
    const auditor = await stack.token('auditor-1', ['auditors']);
    const sessionId = sessionIdFor(new Headers(), { issuer: stack.issuerUrl, subject: AGENT, claims });
    const requested = (await sessionEvents(sessionId, auditor)).filter((e) => e.type === 'approval.requested').map((e) => e.approval!.id);
    assert.equal(requested.length, 1, requested.join(', '));

    const reviewer = await stack.token('rita', ['reviewers']);
    const decided = await internal(`/api/approvals/${requested[0]}/decision`, reviewer, { decision: 'approve', reason: 'decommissioned' });
    assert.equal(decided.status, 200, await decided.text());
    for (let i = 0; i < 150 && !arm.received.some((r) => r.method === 'DELETE'); i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(arm.received.filter((r) => r.method === 'DELETE').length, 1, 'the approved delete was not carried out');

    // The agent repeats the command: it gets the approved delete's answer, once, and is done.
    const done = await run('storage', 'account', 'delete', '-g', arm.resourceGroup, '-n', 'examplelogs', '--yes');
    assert.equal(done.code, 0, done.stderr);
    const list = JSON.parse((await run('storage', 'account', 'list', '--output', 'json')).stdout) as Array<{ name: string }>;
    assert.ok(!list.some((a) => a.name === 'examplelogs'));
    // Once: the next identical command is a new request, held again.
    const later = await run('storage', 'account', 'delete', '-g', arm.resourceGroup, '-n', 'examplelogs', '--yes');
    assert.notEqual(later.code, 0);
    assert.equal(arm.received.filter((r) => r.method === 'DELETE').length, 1);
  });
});

const gateway = () => loopbackApi(stack);
const internal = (path: string, token: string, body?: unknown) => gateway().call(path, token, body);
const sessionEvents = (sessionId: string, auditor: string) => gateway().sessionEvents(sessionId, auditor);
