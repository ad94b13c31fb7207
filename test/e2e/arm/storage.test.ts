// The arm connection end to end with the client its users use: @azure/arm-storage, its endpoint
// set to the gateway (over HTTPS, as the SDK requires for bearer tokens) and a token credential
// returning the agent's OIDC token. The gateway gets its own ARM token from the real
// ManagedIdentityCredential, served by a stand-in of the App Service managed-identity endpoint,
// and calls a local ARM stand-in.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { StorageManagementClient } from '@azure/arm-storage';
import { startExampleArm, type ExampleArm } from '../../../cli/dev/example/arm.js';
import type { SessionRecord } from '../../../shared/sessions/index.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';
import { startIdentityEndpoint, type IdentityEndpoint } from './identity.js';
import { startTlsFront, type TlsFront } from '../../support/tls.js';

const POLICY = `${DEV_ISSUER_POLICY}
auditors: { groups: [auditors] }
connections:
  azure:
    kind: arm
    upstream: \${EXAMPLE_ARM_URL}
    credential: { managedIdentity: { scope: "https://management.azure.com/.default" } }
    groups: [agents]
rules:
  - name: reads
    match: { connections: azure, actions: "*/read" }
    action: allow
  - name: storage-writes
    match: { connections: azure, actions: Microsoft.Storage/storageAccounts/write }
    action: allow
  - name: storage-keys
    match: { connections: azure, actions: Microsoft.Storage/*/listKeys/action }
    action: allow
  - name: no-key-rotation
    match: { connections: azure, actions: Microsoft.Storage/*/regenerateKey/action }
    action: deny
    message: Agents may not rotate storage keys
  - name: review-deletes
    match: { connections: azure, actions: "*/delete" }
    action: review
    message: Deleting Azure resources needs a human
    review: { groups: [reviewers] }
`;

let arm: ExampleArm;
let identity: IdentityEndpoint;
let tls: TlsFront;
let stack: TestStack;
let client: StorageManagementClient;
let agentToken: string;
const session = `arm-e2e-${randomUUID()}`;

/** What an agent's code passes the SDK: a credential that hands out its OIDC token. */
const agentCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: agentToken, expiresOnTimestamp: Date.now() + 10 * 60_000 }),
};

before(async () => {
  arm = await startExampleArm({ record: true });
  identity = await startIdentityEndpoint({ token: arm.token });
  tls = await startTlsFront();
  stack = await startTestStack({
    policy: POLICY,
    env: { EXAMPLE_ARM_URL: arm.url, PORTCULLIS_PUBLIC_URL: tls.url, ...identity.env },
  });
  tls.forwardTo(stack.url);
  agentToken = await stack.token('agent-7', ['agents']);
  client = new StorageManagementClient(agentCredential, arm.subscriptionId, {
    endpoint: `${tls.url}/api/proxy/azure`,
    tlsOptions: { ca: tls.ca },
    additionalPolicies: [{ position: 'perCall', policy: { name: 'session', sendRequest: (req, next) => (req.headers.set('x-portcullis-session', session), next(req)) } }],
    retryOptions: { maxRetries: 0 },
  });
});

after(async () => {
  await stack?.stop();
  await tls?.close();
  await identity?.close();
  await arm?.close();
});

const since = () => {
  const start = arm.received.length;
  return () => arm.received.slice(start);
};

describe('arm e2e: @azure/arm-storage through the gateway', () => {
  it('reads a storage account, the gateway calling ARM with its managed-identity token', async () => {
    const seen = since();
    const account = await client.storageAccounts.getProperties(arm.resourceGroup, 'examplelogs');
    assert.equal(account.name, 'examplelogs');
    assert.equal(account.location, 'eastus');
    const [request] = seen();
    assert.equal(request!.headers.authorization, `Bearer ${arm.token}`);
    assert.ok(!JSON.stringify(request!.headers).includes(agentToken), 'the agent token stops at the gateway');
    assert.equal(identity.requests.at(-1)!.get('resource'), 'https://management.azure.com');
  });

  it('pages a list through nextLink links that come back through the gateway', async () => {
    const seen = since();
    const names: string[] = [];
    for await (const account of client.storageAccounts.listByResourceGroup(arm.resourceGroup)) names.push(account.name!);
    assert.ok(names.length >= 3, names.join());
    assert.ok(seen().length >= 2, 'more than one page');
    assert.ok(seen().every((r) => r.headers.authorization === `Bearer ${arm.token}`), 'every page was fetched by the gateway');
  });

  it('masks the keys listKeys returns, keeping their names', async () => {
    const real = arm.keys('examplelogs');
    const result = await client.storageAccounts.listKeys(arm.resourceGroup, 'examplelogs');
    assert.deepEqual(result.keys!.map((k) => [k.keyName, k.value, k.permissions]), [
      ['key1', '[MASKED:arm-secret]', 'FULL'],
      ['key2', '[MASKED:arm-secret]', 'FULL'],
    ]);
    assert.ok(!JSON.stringify(result).includes(real[0]!) && !JSON.stringify(result).includes(real[1]!));
  });

  it('masks a deployment\'s outputs and secure parameters, read under */read, alone and in the list', async () => {
    const keys = arm.keys('examplelogs');
    const base = `${stack.url}/api/proxy/azure/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.Resources/deployments`;
    for (const url of [`${base}/storage-setup?api-version=2024-03-01`, `${base}?api-version=2024-03-01`]) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${agentToken}`, 'x-portcullis-session': session } });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.ok(!keys.some((k) => text.includes(k.slice(0, 20))), `a storage key leaked from ${url}`);
      const body = JSON.parse(text) as { value?: unknown[] };
      const { outputs, parameters } = ((body.value?.[0] ?? body) as { properties: Record<string, Record<string, { type: string; value: unknown }>> }).properties;
      assert.deepEqual(outputs!.storageKey, { type: 'String', value: '[MASKED:arm-secret]' });
      assert.deepEqual(outputs!.replicas, { type: 'Int', value: 3 });
      // A SecureString is masked by its type, whatever its name says.
      assert.deepEqual(parameters!.bootstrapValue, { type: 'SecureString', value: '[MASKED:arm-secret]' });
      assert.deepEqual(parameters!.accountName, { type: 'String', value: 'examplelogs' });
    }
  });

  it('refuses in ARM\'s error shape: the RestError carries the code and message', async () => {
    await assert.rejects(client.storageAccounts.regenerateKey(arm.resourceGroup, 'examplelogs', { keyName: 'key1' }), (error: { statusCode?: number; code?: string; message: string }) => {
      assert.equal(error.statusCode, 403);
      assert.equal(error.code, 'Denied');
      assert.match(error.message, /^Denied by policy: Agents may not rotate storage keys \(rule no-key-rotation, request [\w-]+\)$/);
      return true;
    });
  });

  it('passes ARM\'s own error of a secret-bearing action unmasked', async () => {
    await assert.rejects(client.storageAccounts.listKeys(arm.resourceGroup, 'nosuchaccount'), (error: { statusCode?: number; code?: string; message: string }) => {
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'ResourceNotFound');
      assert.equal(error.message, "The Resource 'Microsoft.Storage/storageAccounts/nosuchaccount' was not found.");
      return true;
    });
  });

  it('holds a delete for review without calling ARM', async () => {
    const seen = since();
    await assert.rejects(client.storageAccounts.delete(arm.resourceGroup, 'examplebackups'), (error: { statusCode?: number }) => {
      // 501 until approvals are wired into the pipeline, 202 (held) after.
      assert.ok(error.statusCode === 202 || error.statusCode === 501, String(error.statusCode));
      return true;
    });
    assert.deepEqual(seen(), []);
    assert.ok(arm.keys('examplebackups').length === 2, 'the account still exists');
  });

  it('creates an account as a long-running operation, polling through the gateway', async () => {
    const seen = since();
    const poller = client.storageAccounts.create(
      arm.resourceGroup,
      'examplenew',
      { location: 'eastus', sku: { name: 'Standard_LRS' }, kind: 'StorageV2' },
      { updateIntervalInMs: 10 },
    );
    const account = await poller;
    assert.equal(account.name, 'examplenew');
    const calls = seen();
    assert.equal(calls[0]!.method, 'PUT');
    assert.ok(calls.some((r) => /operationStatuses|asyncoperations/i.test(r.url)), 'the SDK polled the operation');
    assert.ok(calls.every((r) => r.headers.authorization === `Bearer ${arm.token}`), 'every poll went through the gateway');
  });

  it('rewrites Azure-AsyncOperation and Location to come back through the gateway', async () => {
    const res = await fetch(`${stack.url}/api/proxy/azure/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.Storage/storageAccounts/examplerewrite?api-version=2024-01-01`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ location: 'westeurope', sku: { name: 'Standard_LRS' } }),
    });
    assert.equal(res.status, 202);
    const prefix = `${tls.url}/api/proxy/azure/subscriptions/${arm.subscriptionId}/providers/Microsoft.Storage/locations/westeurope/`;
    assert.ok(res.headers.get('azure-asyncoperation')!.startsWith(`${prefix}operationStatuses/`), res.headers.get('azure-asyncoperation')!);
    assert.ok(res.headers.get('location')!.startsWith(`${prefix}asyncoperations/`), res.headers.get('location')!);
    assert.ok(!res.headers.get('location')!.includes(arm.url));
  });

  it('refuses a path it cannot name as an ARM operation, without calling ARM', async () => {
    const seen = since();
    const res = await fetch(`${stack.url}/api/proxy/azure/metadata/endpoints?api-version=2022-09-01`, { headers: { authorization: `Bearer ${agentToken}` } });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { type: string }).type, 'urn:portcullis:problem:unclassifiable');
    assert.deepEqual(seen(), []);
  });

  it('records the operation in Azure\'s terms and the listKeys answer masked', async () => {
    const auditor = await stack.token('auditor-1', ['auditors']);
    const res = await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(res.status, 200);
    const record = (await res.json()) as SessionRecord;
    assert.ok(record.verified);
    const listKeys = record.events.filter((e) => e.operation?.actions[0] === 'Microsoft.Storage/storageAccounts/listKeys/action');
    const response = listKeys.find((e) => e.type === 'response')!;
    assert.ok(response, 'the listKeys answer is recorded');
    assert.deepEqual(listKeys[0]!.operation!.resources, [`/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.Storage/storageAccounts/examplelogs`]);
    assert.deepEqual(listKeys[0]!.operation!.flags, ['secrets']);
    assert.ok(!arm.keys('examplelogs').some((k) => response.payload!.body.includes(k)));
    assert.deepEqual(response.findings!.map((f) => f.rule), ['arm-secret', 'arm-secret']);
    assert.ok(response.details!.correlationId);
    assert.equal(response.details!.subscription, arm.subscriptionId);
    assert.match(String(response.details!.apiVersion), /^\d{4}-\d{2}-\d{2}/, 'the SDK\'s api-version');
    const review = record.events.find((e) => e.type === 'decision' && e.decision!.action === 'review')!;
    assert.equal(review.decision!.rule, 'review-deletes');
    assert.deepEqual(review.operation!.actions, ['Microsoft.Storage/storageAccounts/delete']);
  });
});
