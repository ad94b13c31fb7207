import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../guard/decide.js';
import type { Principal } from '../../identity/index.js';
import { Refusal } from '../../platform/problem.js';
import { loadPolicy } from '../../policy/load.js';
import { resolveTarget } from '../target.js';
import { classifyArm } from './classify.js';
import { armKind } from './index.js';

const SUB = '00000000-1111-2222-3333-444444444444';
const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
const DEPLOYMENT = `${rg('prod')}/providers/Microsoft.Resources/deployments/d1`;
const STACK = `${rg('prod')}/providers/Microsoft.Resources/deploymentStacks/s1`;
const OWNER = '/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635';

const template = (resources: unknown) => ({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources });
const body = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function classify(method: string, path: string, value?: unknown, search = '?api-version=2024-03-01') {
  const bytes = body(value ?? '');
  return classifyArm({ method, target: resolveTarget('https://management.azure.com', path.slice(1), search), headers: new Headers(), body: { bytes, length: bytes.length } });
}

const agent: Principal = { subject: 'agent', issuer: 'https://issuer.example', groups: ['agents'], claims: {}, kind: 'workload' };
function decision(rules: string, method: string, path: string, value?: unknown) {
  const loaded = loadPolicy(
    `version: 1
issuers: [{ issuer: https://issuer.example, audience: portcullis, jwksUri: https://issuer.example/jwks }]
connections:
  azure: { kind: arm, credential: { managedIdentity: { scope: "https://management.azure.com/.default" } } }
rules:
${rules}`,
    { env: 'production', variables: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return decide(agent, loaded.policy.connections.get('azure')!, classify(method, path, value), loaded.policy);
}

// The reviewer's policy: everything but deletes and RBAC.
const WRITES_NO_DELETES = `
  - { name: reads-and-writes, match: { actions: ["*/read", "*/write", "*/action"] }, action: allow }
  - { name: no-deletes, match: { actions: "*/delete" }, action: deny }
  - { name: no-rbac, match: { actions: "Microsoft.Authorization/*" }, action: deny }
`;

describe('arm deployments: rules see what a template does', () => {
  it('denies a Complete-mode deployment under */delete: it deletes what its template leaves out', () => {
    const wipe = { properties: { mode: 'Complete', template: template([]) } };
    const op = classify('PUT', DEPLOYMENT, wipe);
    assert.deepEqual(op.actions, ['Microsoft.Resources/deployments/write', '*/delete']);
    assert.deepEqual(op.resources, [DEPLOYMENT, `${rg('prod')}/resources`]);
    assert.deepEqual(op.flags, ['deployment', 'complete-mode']);
    assert.equal(decision(WRITES_NO_DELETES, 'PUT', DEPLOYMENT, wipe).rule, 'no-deletes');
  });

  it('denies a template that grants Owner under Microsoft.Authorization/*', () => {
    const grant = {
      properties: {
        mode: 'Incremental',
        template: template([{ type: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01', name: '[guid(resourceGroup().id)]', properties: { roleDefinitionId: OWNER, principalId: 'p' } }]),
      },
    };
    const op = classify('PUT', DEPLOYMENT, grant);
    assert.deepEqual(op.actions, ['Microsoft.Resources/deployments/write', 'Microsoft.Authorization/roleAssignments/write']);
    // The name is an expression: the type's collection in the group stands for it.
    assert.deepEqual(op.resources, [DEPLOYMENT, `${rg('prod')}/providers/Microsoft.Authorization/roleAssignments`]);
    assert.deepEqual(op.flags, ['deployment']);
    assert.equal(decision(WRITES_NO_DELETES, 'PUT', DEPLOYMENT, grant).action, 'deny');
  });

  it('denies a deployment stack that deletes what it no longer manages, and its delete that does', () => {
    const stack = { properties: { actionOnUnmanage: { resources: 'delete', resourceGroups: 'delete' }, denySettings: { mode: 'none' }, template: template([]) } };
    const op = classify('PUT', STACK, stack);
    assert.deepEqual(op.flags, ['deployment', 'complete-mode']);
    assert.deepEqual(op.actions, ['Microsoft.Resources/deploymentStacks/write', '*/delete', 'Microsoft.Resources/subscriptions/resourceGroups/delete']);
    assert.equal(decision(WRITES_NO_DELETES, 'PUT', STACK, stack).rule, 'no-deletes');

    const detaching = classify('PUT', STACK, { properties: { actionOnUnmanage: { resources: 'detach' }, template: template([]) } });
    assert.deepEqual(detaching.flags, ['deployment']);
    assert.deepEqual(detaching.actions, ['Microsoft.Resources/deploymentStacks/write']);

    const deleted = classify('DELETE', STACK, undefined, '?api-version=2024-03-01&unmanageAction.Resources=delete');
    assert.deepEqual(deleted.flags, ['deployment', 'complete-mode']);
    assert.ok(deleted.actions.includes('*/delete'));
    assert.deepEqual(classify('DELETE', STACK).flags, ['deployment']);
  });

  it('names the scopes nested deployments reach, so a rule on another resource group applies', () => {
    const nested = {
      properties: {
        mode: 'Incremental',
        template: template([{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'into-prod', resourceGroup: 'prod', properties: { mode: 'Complete', template: template([]) } }]),
      },
    };
    const dev = `${rg('dev')}/providers/Microsoft.Resources/deployments/d`;
    const op = classify('PUT', dev, nested);
    assert.deepEqual(op.resources, [dev, `${rg('prod')}/providers/Microsoft.Resources/deployments/into-prod`, `${rg('prod')}/resources`]);
    assert.deepEqual(op.flags, ['deployment', 'complete-mode']);
    const prodReviewed = `
  - { name: dev, match: { resources: "/subscriptions/*/resourceGroups/dev/**" }, action: allow }
  - { name: prod, match: { resources: "/subscriptions/*/resourceGroups/prod/**" }, action: review, review: { groups: [leads] } }
`;
    assert.equal(decision(prodReviewed, 'PUT', dev, nested).rule, 'prod');
  });

  it('follows subscriptions, management groups, child resources and symbolic-name resources', () => {
    const other = '99999999-1111-2222-3333-444444444444';
    const op = classify('PUT', `/subscriptions/${SUB}/providers/Microsoft.Resources/deployments/d`, {
      properties: {
        mode: 'Incremental',
        template: template([
          { type: 'Microsoft.Resources/deployments', name: 'n', subscriptionId: other, resourceGroup: 'data', properties: { mode: 'Incremental', template: template({ sql: { type: 'Microsoft.Sql/servers', name: 'srv', resources: [{ type: 'databases', name: 'db' }] } }) } },
          { type: 'Microsoft.Resources/deployments', name: 'm', scope: 'Microsoft.Management/managementGroups/root', properties: { mode: 'Incremental', template: template([{ type: 'Microsoft.Authorization/policyAssignments', name: 'p' }]) } },
        ]),
      },
    });
    assert.deepEqual(op.resources.slice(1), [
      `/subscriptions/${other}/resourceGroups/data/providers/Microsoft.Resources/deployments/n`,
      `/subscriptions/${other}/resourceGroups/data/providers/Microsoft.Sql/servers/srv`,
      `/subscriptions/${other}/resourceGroups/data/providers/Microsoft.Sql/servers/srv/databases/db`,
      '/providers/Microsoft.Management/managementGroups/root/providers/Microsoft.Resources/deployments/m',
      '/providers/Microsoft.Management/managementGroups/root/providers/Microsoft.Authorization/policyAssignments/p',
    ]);
    assert.ok(op.actions.includes('Microsoft.Sql/servers/databases/write'));
    assert.ok(op.actions.includes('Microsoft.Authorization/policyAssignments/write'));
  });

  it('flags what it cannot read: linked templates and template specs, scopes given by expressions, types not literal, redeploys on error', () => {
    const opaque = (properties: unknown) => classify('PUT', DEPLOYMENT, { properties }).flags;
    assert.ok(opaque({ mode: 'Incremental', templateLink: { uri: 'https://example.com/t.json' } }).includes('opaque-template'));
    assert.ok(opaque({ mode: 'Incremental', templateLink: { id: `${rg('x')}/providers/Microsoft.Resources/templateSpecs/t/versions/1` } }).includes('opaque-template'));
    assert.ok(opaque({ mode: 'Incremental', template: template([{ type: 'Microsoft.Resources/deployments', name: 'n', resourceGroup: "[parameters('rg')]", properties: { mode: 'Incremental', template: template([]) } }]) }).includes('opaque-template'));
    assert.ok(opaque({ mode: 'Incremental', template: template([{ type: "[parameters('type')]", name: 'n' }]) }).includes('opaque-template'));
    assert.ok(opaque({ mode: 'Incremental', template: template([]), onErrorDeployment: { type: 'LastSuccessful' } }).includes('opaque-template'));
    assert.deepEqual(opaque({ mode: 'Incremental', template: template([{ type: 'Microsoft.Storage/storageAccounts', name: 'a' }]) }), ['deployment']);
  });

  it('reads member names and the mode in any case, and takes any mode but Incremental as Complete', () => {
    assert.ok(classify('PUT', DEPLOYMENT, { Properties: { MODE: 'complete', Template: template([]) } }).flags.includes('complete-mode'));
    assert.ok(classify('PUT', DEPLOYMENT, { properties: { mode: 'Incremental', Mode: 'Complete', template: template([]) } }).flags.includes('complete-mode'));
    assert.ok(classify('PUT', DEPLOYMENT, { properties: { template: template([]) } }).flags.includes('complete-mode'));
    assert.ok(!classify('PUT', DEPLOYMENT, { properties: { mode: 'incremental', template: template([]) } }).flags.includes('complete-mode'));
    const grant = classify('PUT', DEPLOYMENT, { properties: { mode: 'Incremental', template: { Resources: [{ TYPE: 'Microsoft.Authorization/roleAssignments', Name: 'x' }] } } });
    assert.ok(grant.actions.includes('Microsoft.Authorization/roleAssignments/write'));
  });

  it('flags deployment scripts, at the top and in templates, and managed applications', () => {
    assert.deepEqual(classify('PUT', `${rg('prod')}/providers/Microsoft.Resources/deploymentScripts/run`, { kind: 'AzureCLI', properties: { scriptContent: 'az group delete -n prod' } }).flags, ['deployment', 'deployment-script']);
    assert.ok(classify('PUT', DEPLOYMENT, { properties: { mode: 'Incremental', template: template([{ type: 'Microsoft.Resources/deploymentScripts', name: 's' }]) } }).flags.includes('deployment-script'));
    const app = classify('PUT', `${rg('prod')}/providers/Microsoft.Solutions/applications/app`, { properties: { managedResourceGroupId: rg('managed') } });
    assert.deepEqual(app.flags, ['deployment', 'opaque-template']);
    assert.ok(app.resources.includes(rg('managed')));
  });

  it('refuses a deployment whose body is not strict JSON, or was not read; validation and what-if deploy nothing and are not read', () => {
    const refused = (error: unknown) => error instanceof Refusal && error.status === 400 && error.type === 'unclassifiable';
    // ARM's parser takes comments and single quotes: what the gateway cannot read is not a plain write.
    assert.throws(() => classify('PUT', DEPLOYMENT, "{properties: {mode: 'Complete', template: {resources: []}}}"), refused);
    assert.throws(() => classify('PUT', DEPLOYMENT, '{"properties": {"mode": "Incremental", /* */ "template": {}}}'), refused);
    const target = resolveTarget('https://management.azure.com', DEPLOYMENT.slice(1), '?api-version=1');
    assert.throws(() => classifyArm({ method: 'PUT', target, headers: new Headers(), body: { stream: new ReadableStream(), length: -1 } }), refused);
    assert.equal(armKind.readsBody, true);
    for (const action of ['validate', 'whatIf']) assert.deepEqual(classify('POST', `${DEPLOYMENT}/${action}`, 'not json').flags, []);
    assert.deepEqual(classify('GET', DEPLOYMENT).flags, []);
  });
});
