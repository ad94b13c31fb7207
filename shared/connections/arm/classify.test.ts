import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../../platform/problem.js';
import { textGlob } from '../../policy/glob.js';
import { resolveTarget } from '../target.js';
import { createMasker } from '../../masking/index.js';
import { armTarget, classifyArm } from './classify.js';
import { armMasker } from './secrets.js';

const SUB = '00000000-1111-2222-3333-444444444444';
const RG = `/subscriptions/${SUB}/resourceGroups/prod-rg`;
const ACCOUNT = `${RG}/providers/Microsoft.Storage/storageAccounts/prodlogs`;

const name = (method: string, path: string) => armTarget(method, path);
const refused = (error: unknown) => error instanceof Refusal && error.status === 400 && error.type === 'unclassifiable';

describe('arm classify: actions named like Azure RBAC', () => {
  const cases: Array<[string, string, string, string]> = [
    ['GET', ACCOUNT, 'Microsoft.Storage/storageAccounts/read', ACCOUNT],
    ['HEAD', ACCOUNT, 'Microsoft.Storage/storageAccounts/read', ACCOUNT],
    ['PUT', ACCOUNT, 'Microsoft.Storage/storageAccounts/write', ACCOUNT],
    ['PATCH', ACCOUNT, 'Microsoft.Storage/storageAccounts/write', ACCOUNT],
    ['DELETE', ACCOUNT, 'Microsoft.Storage/storageAccounts/delete', ACCOUNT],
    ['POST', `${ACCOUNT}/listKeys`, 'Microsoft.Storage/storageAccounts/listKeys/action', ACCOUNT],
    ['GET', `${RG}/providers/Microsoft.Storage/storageAccounts`, 'Microsoft.Storage/storageAccounts/read', `${RG}/providers/Microsoft.Storage/storageAccounts`],
    ['PUT', `${ACCOUNT}/blobServices/default/containers/logs`, 'Microsoft.Storage/storageAccounts/blobServices/containers/write', `${ACCOUNT}/blobServices/default/containers/logs`],
    ['DELETE', `${RG}/providers/Microsoft.Compute/virtualMachines/vm1`, 'Microsoft.Compute/virtualMachines/delete', `${RG}/providers/Microsoft.Compute/virtualMachines/vm1`],
    ['POST', `${RG}/providers/Microsoft.Compute/virtualMachines/vm1/powerOff`, 'Microsoft.Compute/virtualMachines/powerOff/action', `${RG}/providers/Microsoft.Compute/virtualMachines/vm1`],
    ['POST', `${RG}/providers/Microsoft.Web/sites/app/config/appsettings/list`, 'Microsoft.Web/sites/config/list/action', `${RG}/providers/Microsoft.Web/sites/app/config/appsettings`],
    ['PUT', RG, 'Microsoft.Resources/subscriptions/resourceGroups/write', RG],
    ['DELETE', RG, 'Microsoft.Resources/subscriptions/resourceGroups/delete', RG],
    ['GET', `/subscriptions/${SUB}/resourceGroups`, 'Microsoft.Resources/subscriptions/resourceGroups/read', `/subscriptions/${SUB}/resourceGroups`],
    ['GET', `${RG}/resources`, 'Microsoft.Resources/subscriptions/resourceGroups/resources/read', `${RG}/resources`],
    ['POST', `${RG}/exportTemplate`, 'Microsoft.Resources/subscriptions/resourceGroups/exportTemplate/action', RG],
    ['GET', `/subscriptions/${SUB}`, 'Microsoft.Resources/subscriptions/read', `/subscriptions/${SUB}`],
    ['GET', '/subscriptions', 'Microsoft.Resources/subscriptions/read', '/subscriptions'],
    ['GET', '/tenants', 'Microsoft.Resources/tenants/read', '/tenants'],
    ['GET', `/subscriptions/${SUB}/operationresults/abc`, 'Microsoft.Resources/subscriptions/operationresults/read', `/subscriptions/${SUB}/operationresults/abc`],
    ['GET', `/subscriptions/${SUB}/providers`, 'Microsoft.Resources/subscriptions/providers/read', `/subscriptions/${SUB}/providers`],
    ['GET', `/subscriptions/${SUB}/providers/Microsoft.Compute`, 'Microsoft.Resources/subscriptions/providers/read', `/subscriptions/${SUB}/providers/Microsoft.Compute`],
    ['POST', `/subscriptions/${SUB}/providers/Microsoft.Compute/register`, 'Microsoft.Compute/register/action', `/subscriptions/${SUB}/providers/Microsoft.Compute`],
    ['GET', `/subscriptions/${SUB}/providers/Microsoft.Storage/locations/eastus/asyncoperations/op1`, 'Microsoft.Storage/locations/asyncoperations/read', `/subscriptions/${SUB}/providers/Microsoft.Storage/locations/eastus/asyncoperations/op1`],
    ['GET', `/subscriptions/${SUB}/providers/Microsoft.Storage/storageAccounts`, 'Microsoft.Storage/storageAccounts/read', `/subscriptions/${SUB}/providers/Microsoft.Storage/storageAccounts`],
    ['GET', '/providers/Microsoft.Storage/operations', 'Microsoft.Storage/operations/read', '/providers/Microsoft.Storage/operations'],
    ['PUT', '/providers/Microsoft.Management/managementGroups/mg1', 'Microsoft.Management/managementGroups/write', '/providers/Microsoft.Management/managementGroups/mg1'],
    ['GET', '/providers', 'Microsoft.Resources/providers/read', '/providers'],
    ['PUT', `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/ra1`, 'Microsoft.Authorization/roleAssignments/write', `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/ra1`],
    ['PUT', `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/ra1`, 'Microsoft.Authorization/roleAssignments/write', `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/ra1`],
  ];
  for (const [method, path, action, resource] of cases) {
    it(`${method} ${path.replace(SUB, '{sub}')} → ${action}`, () => {
      const named = name(method, path);
      assert.equal(named.action, action);
      assert.equal(named.resourceId, resource);
    });
  }
});

describe('arm classify: rule globs', () => {
  const matches = (glob: string, method: string, path: string) => textGlob(glob, true).test(name(method, path).action);

  it('matches the wildcards rules use', () => {
    assert.ok(matches('*/delete', 'DELETE', `${RG}/providers/Microsoft.Compute/virtualMachines/vm1`));
    assert.ok(matches('*/delete', 'DELETE', RG));
    assert.ok(!matches('*/delete', 'GET', ACCOUNT));
    assert.ok(matches('Microsoft.Storage/*/listKeys/action', 'POST', `${ACCOUNT}/listKeys`));
    assert.ok(matches('microsoft.storage/*/listkeys/action', 'POST', `${ACCOUNT}/listKeys`));
    assert.ok(!matches('Microsoft.Storage/*/listKeys/action', 'POST', `${ACCOUNT}/regenerateKey`));
    assert.ok(matches('*/read', 'GET', `/subscriptions/${SUB}/providers/Microsoft.Storage/locations/eastus/asyncoperations/op1`));
  });
});

describe('arm classify: scope and names', () => {
  it('takes subscription, resource group, provider, type and name from the path', () => {
    const named = name('POST', `${ACCOUNT}/listKeys`);
    assert.equal(named.subscription, SUB);
    assert.equal(named.resourceGroup, 'prod-rg');
    assert.equal(named.provider, 'Microsoft.Storage');
    assert.equal(named.resourceType, 'Microsoft.Storage/storageAccounts');
    assert.equal(named.name, 'prodlogs');
  });

  it('names the child resource of a nested path and nothing for a collection', () => {
    const child = name('GET', `${ACCOUNT}/blobServices/default/containers/logs`);
    assert.equal(child.resourceType, 'Microsoft.Storage/storageAccounts/blobServices/containers');
    assert.equal(child.name, 'logs');
    const list = name('GET', `${RG}/providers/Microsoft.Storage/storageAccounts`);
    assert.equal(list.name, null);
    assert.equal(list.resourceType, 'Microsoft.Storage/storageAccounts');
  });

  it('reads names case-insensitively and spells Microsoft.Resources segments canonically', () => {
    const named = name('DELETE', `/SUBSCRIPTIONS/${SUB}/resourcegroups/Prod-RG/providers/Microsoft.Compute/virtualMachines/vm1`);
    assert.equal(named.action, 'Microsoft.Compute/virtualMachines/delete');
    assert.equal(named.resourceId, `/subscriptions/${SUB}/resourceGroups/Prod-RG/providers/Microsoft.Compute/virtualMachines/vm1`);
    assert.equal(named.resourceGroup, 'Prod-RG');
  });

  it('decodes names in the resource id', () => {
    assert.equal(name('GET', `${RG}/providers/Microsoft.Web/sites/my%20app`).name, 'my app');
  });

  it('flags actions whose answers carry secrets', () => {
    for (const action of ['listKeys', 'listkeys', 'listConnectionStrings', 'regenerateKey', 'ListAccountSas', 'listCredentials', 'getAccessToken', 'rotateKey', 'beginGetAccess', 'readonlykeys']) {
      assert.equal(name('POST', `${ACCOUNT}/${action}`).secrets, true, action);
    }
    for (const action of ['restart', 'powerOff', 'validate', 'disassociate', 'checkNameAvailability']) assert.equal(name('POST', `${ACCOUNT}/${action}`).secrets, false, action);
    // A GET named like a list action reads a secret where an API serves one so (below).
    assert.equal(name('GET', `${ACCOUNT}/listKeys`).secrets, true);
  });

  it('flags GETs whose answers are secrets, and their answers are masked strictly', () => {
    const NET = `${RG}/providers/Microsoft.Network`;
    const secretReads = [
      `${NET}/connections/vpn1/sharedkey`,
      `${NET}/connections/vpn1/SharedKey`,
      `${NET}/vpnGateways/gw/vpnConnections/c/vpnLinkConnections/l/sharedKeys/default`,
      `${RG}/providers/Microsoft.Web/sites/app/config/authsettingsV2/list`,
      `${RG}/providers/Microsoft.Search/searchServices/s/listQueryKeys`,
      `${RG}/providers/Microsoft.ContainerService/managedClusters/aks/accessProfiles/clusterAdmin`,
      `${RG}/providers/Microsoft.Automation/automationAccounts/a/agentRegistrationInformation`,
      `${RG}/providers/Microsoft.HDInsight/clusters/hdi/configurations/gateway`,
      `${RG}/providers/Microsoft.Web/sites/app/hybridConnectionNamespaces/ns/relays/r`,
    ];
    for (const path of secretReads) assert.equal(name('GET', path).secrets, true, path);
    // Setting the key answers it too.
    assert.equal(name('PUT', `${NET}/connections/vpn1/sharedkey`).secrets, true);
    for (const path of [`${NET}/connections/vpn1`, `${RG}/providers/Microsoft.Web/sites/app/config/authsettingsV2`, `${RG}/providers/Microsoft.KeyVault/vaults/v/secrets`, ACCOUNT]) {
      assert.equal(name('GET', path).secrets, false, path);
    }

    const target = resolveTarget('https://management.azure.com', `${NET.slice(1)}/connections/vpn1/sharedkey`, '?api-version=2023-09-01');
    const op = classifyArm({ method: 'GET', target, headers: new Headers(), body: { bytes: new Uint8Array(), length: 0 } });
    assert.deepEqual(op.flags, ['secrets']);
    const psk = 'q7Xv2LmP9sKd4TzR8wYb';
    const masked = armMasker(createMasker(), { strict: op.flags.includes('secrets'), link: () => undefined }).auto(JSON.stringify({ id: `${NET}/connections/vpn1/sharedkey`, value: psk }), 'application/json');
    assert.ok(!masked.text.includes(psk));
    assert.equal(JSON.parse(masked.text).value, '[MASKED:arm-secret]');
  });
});

describe('arm classify: fails closed', () => {
  const refusedPaths: Array<[string, string]> = [
    ['GET', '/'],
    ['GET', '/metadata/endpoints'],
    ['GET', '/resourceGroups/rg'],
    ['GET', `${RG}/providers/not-a-namespace/x/y`],
    ['GET', `${RG}/providers/Microsoft.Storage/storageAccounts/`],
    ['GET', `/subscriptions/${SUB}//resourceGroups`],
    ['GET', `${RG}/providers/Microsoft.Storage/storage$accounts/x`],
    ['POST', ACCOUNT],
    ['OPTIONS', ACCOUNT],
    ['GET', `/providers/Microsoft.Storage/providers/Microsoft.Authorization/roleAssignments/x`],
  ];
  for (const [method, path] of refusedPaths) {
    it(`refuses ${method} ${path.replace(SUB, '{sub}')}`, () => {
      assert.throws(() => name(method, path), refused);
    });
  }
});

describe('arm classify: operation', () => {
  it('builds the operation rules see, with the api-version and body text', () => {
    const target = resolveTarget('https://management.azure.com', `${ACCOUNT.slice(1)}/listKeys`, '?api-version=2024-01-01');
    const body = new TextEncoder().encode('{"expand":"kerb"}');
    const op = classifyArm({ method: 'POST', target, headers: new Headers({ authorization: 'Bearer x', 'x-ms-client-request-id': 'r1' }), body: { bytes: body, length: body.length } });
    assert.deepEqual(op.actions, ['Microsoft.Storage/storageAccounts/listKeys/action']);
    assert.deepEqual(op.resources, [ACCOUNT]);
    assert.deepEqual(op.flags, ['secrets']);
    assert.equal(op.text, '{"expand":"kerb"}');
    assert.equal(op.headers.authorization, undefined);
    assert.equal(op.summary, `Microsoft.Storage/storageAccounts/listKeys/action ${ACCOUNT}`);
    assert.deepEqual(op.details, {
      subscription: SUB,
      resourceGroup: 'prod-rg',
      provider: 'Microsoft.Storage',
      resourceType: 'Microsoft.Storage/storageAccounts',
      name: 'prodlogs',
      apiVersion: '2024-01-01',
    });
  });
});

describe('arm: secret-bearing actions whatever their case', () => {
  it('flags lower-cased and camel-cased spellings alike', async () => {
    const { bearsSecrets } = await import('./classify.js');
    for (const action of ['getAccessToken', 'getaccesstoken', 'fetchSecrets', 'fetchsecrets', 'exportCredentials', 'EXPORTCREDENTIALS', 'listKeys', 'regenerateKey']) {
      assert.equal(bearsSecrets(action), true, action);
    }
    assert.equal(bearsSecrets('restart'), false);
    assert.equal(bearsSecrets('start'), false);
  });
});
