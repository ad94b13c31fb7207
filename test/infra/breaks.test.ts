// Each structural check fails when the property it guards is broken: copy infra/ to a temporary
// folder, break one thing, and the checker reports exactly that problem (and nothing else).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { appFacts, repoRoot, requiredRoles } from './app-facts.js';
import { checkInfra, formatProblems, type Check, type Problem } from './check.js';

const facts = appFacts();
const scratch = mkdtempSync(join(tmpdir(), 'portcullis-infra-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;

/** A fresh copy of infra/ with `edit` applied to it. */
function brokenCopy(edit: (dir: string) => void): string {
  const dir = join(scratch, String(copies++));
  cpSync(join(repoRoot, 'infra'), dir, { recursive: true });
  edit(dir);
  return dir;
}

/** Replaces the one occurrence of `from` in `file`; a test whose text moved fails here, not silently. */
function replaceOnce(dir: string, file: string, from: string, to: string) {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const count = text.split(from).length - 1;
  assert.equal(count, 1, `expected exactly one ${JSON.stringify(from)} in ${file}, found ${count}`);
  writeFileSync(path, text.replace(from, () => to));
}

/** Removes the text from `start` up to (not including) `end`, both occurring once. */
function cut(dir: string, file: string, start: string, end: string) {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const i = text.indexOf(start);
  const j = text.indexOf(end, i + start.length);
  assert.ok(i >= 0 && j > i && text.indexOf(start, i + 1) < 0, `markers not found once in ${file}`);
  writeFileSync(path, text.slice(0, i) + text.slice(j));
}

function append(dir: string, file: string, text: string) {
  const path = join(dir, file);
  writeFileSync(path, `${readFileSync(path, 'utf8')}\n${text}\n`);
}

interface Expected {
  check: Check;
  /** A fragment of the message. */
  says: string;
}

function assertProblems(problems: Problem[], expected: Expected[]) {
  const shown = `\n${formatProblems(problems) || '(no problems)'}`;
  assert.equal(problems.length, expected.length, `expected ${expected.length} problem(s):${shown}`);
  for (const e of expected) {
    assert.ok(
      problems.some((p) => p.check === e.check && p.message.includes(e.says)),
      `expected a ${e.check} problem saying "${e.says}":${shown}`,
    );
  }
}

const breaks: { name: string; skip?: string | false; edit: (dir: string) => void; expect: Expected[] }[] = [
  // ---- app settings ----
  {
    name: 'a setting the config schema requires is removed',
    edit: (d) => replaceOnce(d, 'app/api.bicep', '  PORTCULLIS_POLICY: policyUrl\n', ''),
    expect: [{ check: 'app-settings', says: 'PORTCULLIS_POLICY is not set' }],
  },
  {
    name: 'a required setting is only set under a condition',
    edit: (d) => {
      replaceOnce(d, 'app/api.bicep', '  PORTCULLIS_POLICY: policyUrl\n', '');
      replaceOnce(d, 'app/api.bicep', '  PORTCULLIS_PUBLIC_URL: publicUrl\n', '  PORTCULLIS_PUBLIC_URL: publicUrl\n  PORTCULLIS_POLICY: policyUrl\n');
    },
    expect: [{ check: 'app-settings', says: 'PORTCULLIS_POLICY is not set' }],
  },
  {
    name: 'the Service Bus namespace setting is removed',
    edit: (d) => replaceOnce(d, 'app/api.bicep', '  ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespaceFqdn\n', ''),
    expect: [{ check: 'app-settings', says: 'ServiceBusConnection__fullyQualifiedNamespace is not set' }],
  },
  {
    name: 'the table endpoint is removed (loadConfig needs blob and table, or the account name)',
    edit: (d) => replaceOnce(d, 'app/api.bicep', '  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table\n', ''),
    expect: [{ check: 'app-settings', says: 'AzureWebJobsStorage__accountName is not set' }],
  },
  {
    name: 'a storage connection string replaces the identity-based connection',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "  AzureWebJobsStorage__credential: 'managedidentity'\n", "  AzureWebJobsStorage__credential: 'managedidentity'\n  AzureWebJobsStorage: 'UseDevelopmentStorage=true'\n"),
    expect: [{ check: 'app-settings', says: 'AzureWebJobsStorage is a connection string' }],
  },
  {
    name: 'the host connects without the managed identity credential',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "  ServiceBusConnection__credential: 'managedidentity'\n", ''),
    expect: [{ check: 'app-settings', says: 'ServiceBusConnection__credential' }],
  },
  {
    name: 'the manifest-signing key is not passed to the app',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "  PORTCULLIS_SIGNING_KEY_ID: '${keyVault.properties.vaultUri}keys/${signingKeyName}'\n", ''),
    expect: [{ check: 'app-settings', says: 'PORTCULLIS_SIGNING_KEY_ID is not set (without it the daily export refuses' }],
  },
  {
    name: 'the reviewer tenant allow-list is only set when sign-in is configured',
    edit: (d) => {
      replaceOnce(d, 'app/api.bicep', '  WEBSITE_AUTH_AAD_ALLOWED_TENANTS: tenant().tenantId\n', '');
      replaceOnce(d, 'app/api.bicep', '  OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: reviewIdentityClientId\n', '  OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: reviewIdentityClientId\n  WEBSITE_AUTH_AAD_ALLOWED_TENANTS: tenant().tenantId\n');
    },
    expect: [{ check: 'app-settings', says: 'WEBSITE_AUTH_AAD_ALLOWED_TENANTS is not set' }],
  },
  {
    name: 'PORTCULLIS_ENV is development',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "PORTCULLIS_ENV: 'production'", "PORTCULLIS_ENV: 'development'"),
    expect: [{ check: 'app-settings', says: "PORTCULLIS_ENV must be 'production'" }],
  },
  {
    name: 'a setting name has a typo',
    edit: (d) => replaceOnce(d, 'app/api.bicep', '  PORTCULLIS_POLICY: policyUrl\n', '  PORTCULLIS_POLICI: policyUrl\n'),
    expect: [
      { check: 'app-settings', says: 'PORTCULLIS_POLICY is not set' },
      { check: 'app-settings', says: 'PORTCULLIS_POLICI is neither in the config schema' },
    ],
  },
  // ---- secrets in settings ----
  {
    name: 'the link-signing key is a value, not a Key Vault reference',
    edit: (d) =>
      replaceOnce(
        d,
        'app/api.bicep',
        "PORTCULLIS_LINK_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/${linkSigningKeySecretName}/)'",
        'PORTCULLIS_LINK_SIGNING_KEY: base64(newGuid())',
      ),
    expect: [{ check: 'secret-settings', says: 'PORTCULLIS_LINK_SIGNING_KEY holds a secret' }],
  },
  {
    name: 'Key Vault references are no longer resolved with the user-assigned identity',
    edit: (d) => replaceOnce(d, 'app/api.bicep', '    keyVaultReferenceIdentity: identityId\n', ''),
    // With the reviewers' sign-in identity assigned too, keyVaultReferenceIdentity is what names the runtime one.
    expect: [{ check: 'identity', says: 'keyVaultReferenceIdentity names the runtime one' }],
  },
  // ---- identity ----
  {
    name: 'AZURE_CLIENT_ID names some other identity',
    edit: (d) => replaceOnce(d, 'app/api.bicep', '  AZURE_CLIENT_ID: identityClientId\n', "  AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000000'\n"),
    expect: [{ check: 'identity', says: 'AZURE_CLIENT_ID must be the client id' }],
  },
  {
    name: 'the Function App runs as a system-assigned identity',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "    type: 'UserAssigned'\n    userAssignedIdentities", "    type: 'SystemAssigned'\n    userAssignedIdentities"),
    expect: [{ check: 'identity', says: 'user-assigned identity' }],
  },
  // ---- modules and parameters ----
  {
    name: 'a module path points at a file that does not exist',
    edit: (d) => replaceOnce(d, 'main.bicep', "module plan './core/host/flex-consumption-plan.bicep'", "module plan './core/host/flex-plan.bicep'"),
    expect: [{ check: 'module-paths', says: "'./core/host/flex-plan.bicep', which does not exist" }],
  },
  {
    name: 'an import points at a file that does not exist',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', "from '../core/security/roles.bicep'", "from '../security/roles.bicep'"),
    expect: [{ check: 'module-paths', says: "'../security/roles.bicep', which does not exist" }],
  },
  {
    name: 'a module comes from a registry the check cannot read',
    edit: (d) => replaceOnce(d, 'main.bicep', "module plan './core/host/flex-consumption-plan.bicep'", "module plan 'br/public:avm/res/web/serverfarm:0.1.1'"),
    expect: [{ check: 'module-paths', says: 'comes from a registry' }],
  },
  {
    name: 'a module call passes a parameter the module does not declare',
    edit: (d) => replaceOnce(d, 'main.bicep', "    name: '${abbrs.webServerFarms}${resourceToken}'\n", "    name: '${abbrs.webServerFarms}${resourceToken}'\n    sku: 'FC1'\n"),
    expect: [{ check: 'module-params', says: 'passes sku, which' }],
  },
  {
    name: 'a module call leaves out a required parameter',
    edit: (d) => replaceOnce(d, 'main.bicep', "    name: '${abbrs.webServerFarms}${resourceToken}'\n", ''),
    expect: [{ check: 'module-params', says: 'does not pass name' }],
  },
  {
    name: 'main.parameters.json sets a parameter main.bicep does not declare',
    edit: (d) => replaceOnce(d, 'main.parameters.json', '"parameters": {', '"parameters": {\n    "vnetEnabled": { "value": "${VNET_ENABLED=false}" },'),
    expect: [{ check: 'parameters', says: 'parameter vnetEnabled is not declared in main.bicep' }],
  },
  // ---- roles ----
  {
    name: "a role the code needs is dropped (TableClient's)",
    edit: (d) => cut(d, 'app/rbac.bicep', '// Table data, account scope', '// Send, approvals queue only'),
    expect: [{ check: 'roles', says: 'no table data (Storage Table Data Contributor, or a custom role with Microsoft.Storage/storageAccounts/tableServices/tables/read, Microsoft.Storage/storageAccounts/tableServices/tables/write, Microsoft.Storage/storageAccounts/tableServices/tables/entities/read' }],
  },
  {
    name: 'the Key Vault role is dropped',
    edit: (d) => cut(d, 'app/rbac.bicep', '// Read secrets, this vault', '// Sign, the manifest-signing key only'),
    expect: [{ check: 'roles', says: 'no Key Vault secret read (Key Vault Secrets User' }],
  },
  {
    name: 'the roles go to the deploying user instead of the app',
    edit: (d) => replaceOnce(d, 'main.bicep', 'appPrincipalId: appIdentity.outputs.principalId', 'appPrincipalId: principalId'),
    // Every role the code needs is then missing, each reported once.
    expect: [...new Set(requiredRoles(facts).map((n) => n.need.name))].map((name) => ({ check: 'roles', says: `no ${name} (` })),
  },
  {
    name: "the approvals trigger's scaling role is dropped",
    skip: !facts.triggers.some((t) => t.trigger === 'serviceBusQueue') && 'the app has no Service Bus queue trigger yet',
    edit: (d) => cut(d, 'app/rbac.bicep', '// Owner, approvals queue only', '// Read secrets, this vault'),
    expect: [{ check: 'roles', says: 'no Service Bus manage (trigger scaling) (Azure Service Bus Data Owner, or a custom role with Microsoft.ServiceBus/*, Microsoft.ServiceBus/*), which the serviceBusQueue trigger of function' }],
  },
  {
    name: 'the custom blob role may delete containers',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', "          'Microsoft.Storage/storageAccounts/blobServices/containers/read'\n", "          'Microsoft.Storage/storageAccounts/blobServices/containers/read'\n          'Microsoft.Storage/storageAccounts/blobServices/containers/delete'\n"),
    expect: [{ check: 'least-privilege', says: 'custom role blobDataRole grants Microsoft.Storage/storageAccounts/blobServices/containers/delete, which no code path' }],
  },
  {
    name: 'the custom blob role may move blobs (a data action no code path uses)',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', "          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'\n", "          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'\n          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action'\n"),
    expect: [{ check: 'least-privilege', says: 'grants Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action' }],
  },
  {
    name: 'the custom blob role grants every blob data action with a wildcard',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', "          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'\n", "          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'\n"),
    expect: [{ check: 'least-privilege', says: 'grants Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*' }],
  },
  {
    name: 'the custom blob role cannot append (Append Block)',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', "          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'\n", ''),
    expect: [{ check: 'roles', says: 'no blob read, write and append (Storage Blob Data Contributor, or a custom role with Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action), which' }],
  },
  {
    name: 'the custom blob role excludes a data action it needs (notDataActions)',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', "        notDataActions: []\n      }\n    ]\n    assignableScopes: [\n      resourceGroup().id\n    ]\n  }\n}\n\n// Sign", "        notDataActions: [\n          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'\n        ]\n      }\n    ]\n    assignableScopes: [\n      resourceGroup().id\n    ]\n  }\n}\n\n// Sign"),
    expect: [
      { check: 'roles', says: 'no host storage (blob read, write, delete)' },
      { check: 'roles', says: 'no blob read, write and append' },
    ],
  },
  {
    name: 'the app gets the built-in Storage Blob Data Contributor (container delete and write) back',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', '    roleDefinitionId: blobDataRole.id\n', "    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)\n"),
    expect: [{ check: 'least-privilege', says: 'appBlobData: Storage Blob Data Contributor is more than any code path' }],
  },
  {
    name: 'the manifest-signing role is dropped',
    edit: (d) => cut(d, 'app/rbac.bicep', '// Sign, the manifest-signing key only', '// Publish telemetry, this component'),
    expect: [
      { check: 'roles', says: 'no Key Vault key read (Key Vault Crypto User, or a custom role with Microsoft.KeyVault/vaults/keys/read), which KeyClient' },
      { check: 'roles', says: 'no Key Vault key sign (Key Vault Crypto User, or a custom role with Microsoft.KeyVault/vaults/keys/sign/action), which CryptographyClient' },
    ],
  },
  {
    name: 'the manifest-signing role may also decrypt',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', "          'Microsoft.KeyVault/vaults/keys/sign/action'\n", "          'Microsoft.KeyVault/vaults/keys/sign/action'\n          'Microsoft.KeyVault/vaults/keys/decrypt/action'\n"),
    expect: [{ check: 'least-privilege', says: 'custom role keySignerRole grants Microsoft.KeyVault/vaults/keys/decrypt/action' }],
  },
  {
    name: 'the app signs with the built-in Key Vault Crypto User (decrypt, unwrap, update) instead',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', '    roleDefinitionId: keySignerRole.id\n', "    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '12338af0-0e69-4776-bea7-57ae8d297424')\n"),
    expect: [{ check: 'least-privilege', says: 'appKeySigner: Key Vault Crypto User is more than any code path' }],
  },
  {
    name: 'a role id in roles.bicep does not match its name',
    edit: (d) => replaceOnce(d, 'core/security/roles.bicep', "'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'", "'974c5e8b-45b9-4653-ba55-5f855dd0fb88'"),
    expect: [{ check: 'role-ids', says: 'is not the id of Storage Table Data Contributor' }],
  },
  {
    name: 'the app gets an owner-level role it does not need',
    edit: (d) =>
      append(
        d,
        'app/rbac.bicep',
        `resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
    principalId: appPrincipalId
  }
}`,
      ),
    expect: [{ check: 'least-privilege', says: 'Storage Blob Data Owner is more than any code path of the app needs' }],
  },
  {
    name: 'an app role is assigned at resource-group scope',
    edit: (d) => replaceOnce(d, 'app/rbac.bicep', '  name: guid(storage.id, appIdentity.id, roles.storageTableDataContributor)\n  scope: storage\n', '  name: guid(storage.id, appIdentity.id, roles.storageTableDataContributor)\n'),
    expect: [{ check: 'least-privilege', says: 'appTableData: assigned at resource-group scope' }],
  },
  // ---- outputs ----
  {
    name: 'an output exposes a storage account key (listKeys)',
    edit: (d) => append(d, 'app/storage.bicep', 'output accountKey string = storage.listKeys().keys[0].value'),
    expect: [{ check: 'secret-outputs', says: 'output accountKey' }],
  },
  {
    name: 'an output exposes a connection string',
    edit: (d) => append(d, 'core/monitor/monitoring.bicep', 'output APPLICATIONINSIGHTS_CONNECTION_STRING string = applicationInsights.properties.ConnectionString'),
    expect: [{ check: 'secret-outputs', says: 'reads a connection string' }],
  },
  {
    name: 'an output exposes a @secure() parameter',
    edit: (d) => append(d, 'core/security/keyvault.bicep', "@secure()\n@description('A seed.')\nparam seed string = newGuid()\n\noutput seedValue string = 'seed-${seed}'"),
    expect: [{ check: 'secret-outputs', says: 'exposes the @secure() parameter seed' }],
  },
  {
    name: 'an output is named for a secret',
    edit: (d) => append(d, 'main.bicep', 'output LINK_SIGNING_KEY_SECRET string = linkSigningKeySecretName'),
    expect: [{ check: 'secret-outputs', says: 'its name says it holds a secret' }],
  },
  // ---- immutability ----
  {
    name: 'protected append writes are removed from the sessions policy',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', '    allowProtectedAppendWrites: true\n', ''),
    expect: [{ check: 'immutability', says: 'allowProtectedAppendWrites must be true' }],
  },
  {
    name: 'protected append writes are turned off',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', 'allowProtectedAppendWrites: true', 'allowProtectedAppendWrites: false'),
    expect: [{ check: 'immutability', says: 'allowProtectedAppendWrites must be true' }],
  },
  {
    name: 'sessions uses version-level immutability, under which Put Blob replaces a blob\'s current version',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', "  name: 'sessions'\n  properties: {\n", "  name: 'sessions'\n  properties: {\n    immutableStorageWithVersioning: {\n      enabled: true\n    }\n"),
    expect: [{ check: 'immutability', says: 'not version-level immutability' }],
  },
  {
    name: 'the retention is hard-coded instead of a parameter',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', 'immutabilityPeriodSinceCreationInDays: sessionRetentionDays', 'immutabilityPeriodSinceCreationInDays: 7'),
    expect: [{ check: 'immutability', says: 'must come from a parameter' }],
  },
  {
    name: 'the retention policy is deployed only under some other condition',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', 'if (!sessionRetentionLocked)', "if (skuName == 'Standard_GZRS')"),
    expect: [{ check: 'immutability', says: 'is conditional' }],
  },
  {
    name: 'the retention policy is removed',
    edit: (d) => cut(d, 'app/storage.bicep', '// Container-level time-based retention', "resource exportsContainer"),
    expect: [{ check: 'immutability', says: 'has no immutabilityPolicies resource' }],
  },
  // ---- storage layout ----
  {
    name: 'a table the app uses is not created',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', "  'eventsbydecision'\n", ''),
    expect: [{ check: 'storage-layout', says: "table 'eventsbydecision'" }],
  },
  {
    name: 'a container the app uses is not created',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', "name: 'exports'", "name: 'export'"),
    expect: [{ check: 'storage-layout', says: "container 'exports'" }],
  },
  {
    name: "a Functions host container is not created (the host's identity cannot create it)",
    edit: (d) => replaceOnce(d, 'app/storage.bicep', "    'azure-webjobs-secrets'\n", ''),
    expect: [{ check: 'storage-layout', says: "container 'azure-webjobs-secrets'" }],
  },
  {
    name: 'the queue delivers more often than the app declares',
    edit: (d) => replaceOnce(d, 'app/servicebus.bicep', 'maxDeliveryCount: 5', 'maxDeliveryCount: 10'),
    expect: [{ check: 'storage-layout', says: 'maxDeliveryCount must be 5' }],
  },
  {
    name: 'the queue loses duplicate detection',
    edit: (d) => replaceOnce(d, 'app/servicebus.bicep', 'requiresDuplicateDetection: true', 'requiresDuplicateDetection: false'),
    expect: [{ check: 'storage-layout', says: 'requiresDuplicateDetection must be true' }],
  },
  {
    name: 'the queue lock is shorter than the app declares',
    edit: (d) => replaceOnce(d, 'app/servicebus.bicep', "lockDuration: 'PT1M'", "lockDuration: 'PT30S'"),
    expect: [{ check: 'storage-layout', says: 'lockDuration must be 60000 ms' }],
  },
  // ---- lockdown ----
  {
    name: 'shared-key access is allowed on the storage account',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', 'allowSharedKeyAccess: false', 'allowSharedKeyAccess: true'),
    expect: [{ check: 'lockdown', says: 'allowSharedKeyAccess must be false' }],
  },
  {
    name: 'SAS authentication is allowed on Service Bus',
    edit: (d) => replaceOnce(d, 'app/servicebus.bicep', 'disableLocalAuth: true', 'disableLocalAuth: false'),
    expect: [{ check: 'lockdown', says: 'disableLocalAuth must be true' }],
  },
  {
    name: 'the Key Vault uses access policies instead of RBAC',
    edit: (d) => replaceOnce(d, 'core/security/keyvault.bicep', 'enableRbacAuthorization: true', 'enableRbacAuthorization: false'),
    expect: [{ check: 'lockdown', says: 'enableRbacAuthorization must be true' }],
  },
  {
    name: 'Application Insights accepts key-only telemetry',
    edit: (d) => replaceOnce(d, 'core/monitor/monitoring.bicep', 'DisableLocalAuth: true', 'DisableLocalAuth: false'),
    expect: [{ check: 'lockdown', says: 'DisableLocalAuth must be true' }],
  },
  {
    name: 'the Log Analytics workspace accepts writes with its shared keys',
    edit: (d) => replaceOnce(d, 'core/monitor/monitoring.bicep', '      disableLocalAuth: true\n', '      disableLocalAuth: false\n'),
    expect: [{ check: 'lockdown', says: 'features.disableLocalAuth must be true' }],
  },
  // ---- network isolation ----
  {
    name: 'the storage account is always public',
    edit: (d) => replaceOnce(d, 'app/storage.bicep', "    publicNetworkAccess: networkIsolation && empty(allowedIps) ? 'Disabled' : 'Enabled'\n", "    publicNetworkAccess: 'Enabled'\n"),
    expect: [{ check: 'network', says: 'storage: properties.publicNetworkAccess must follow the network-isolation parameter' }],
  },
  {
    name: "the Key Vault's firewall always allows",
    edit: (d) => replaceOnce(d, 'core/security/keyvault.bicep', "      defaultAction: networkIsolation ? 'Deny' : 'Allow'\n", "      defaultAction: 'Allow'\n"),
    expect: [{ check: 'network', says: 'vault: properties.networkAcls.defaultAction must follow' }],
  },
  {
    name: 'the table service has no private endpoint',
    edit: (d) => cut(d, 'app/network.bicep', "  {\n    name: 'table'\n", "  {\n    name: 'queue'\n"),
    expect: [{ check: 'network', says: "no private endpoint for 'table'" }],
  },
  {
    name: 'the Function App cannot join the network',
    edit: (d) => replaceOnce(d, 'app/api.bicep', '    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId\n', ''),
    expect: [{ check: 'network', says: 'virtualNetworkSubnetId is not set' }],
  },
  // ---- App Service Authentication ----
  {
    name: 'the review pages are exempted from sign-in',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "  '/api/health'\n", "  '/api/health'\n  '/api/review/*'\n"),
    expect: [{ check: 'review-auth', says: "'/api/review/*' exempts /api/review/{id}" }],
  },
  {
    name: 'everything is exempted with a wildcard',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "  '/api/health'\n", "  '/api/health'\n  '/api/*'\n"),
    expect: [{ check: 'review-auth', says: "'/api/*' exempts /api/review/{id}" }],
  },
  {
    name: 'an agent route is left to App Service Authentication',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "  '/api/sql/*'\n", ''),
    expect: [{ check: 'review-auth', says: '/api/sql/{connection} is not in excludedPaths' }],
  },
  {
    name: 'unauthenticated requests are let through',
    edit: (d) => replaceOnce(d, 'app/api.bicep', "'RedirectToLoginPage' : 'Return401'", "'RedirectToLoginPage' : 'AllowAnonymous'"),
    expect: [{ check: 'review-auth', says: 'must not be AllowAnonymous' }],
  },
  {
    name: 'sign-in is not required',
    edit: (d) => replaceOnce(d, 'app/api.bicep', '      requireAuthentication: true\n', '      requireAuthentication: false\n'),
    expect: [{ check: 'review-auth', says: 'requireAuthentication: true' }],
  },
];

describe('the structural check fails on a broken copy of infra/ when', () => {
  for (const { name, skip, edit, expect } of breaks) {
    test(name, { skip }, () => {
      const dir = brokenCopy(edit);
      assertProblems(checkInfra(dir, facts), expect);
    });
  }

  test('an unbroken copy passes (the copy itself is faithful)', () => {
    assertProblems(checkInfra(brokenCopy(() => {}), facts), []);
  });
});
