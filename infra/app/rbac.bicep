// Every role assignment, least privilege: each one names the code path that needs it and is scoped
// to the one resource that path touches. The app's identity holds data-plane roles only — no
// management roles, nothing at resource-group scope. The deploying user gets what the
// postprovision hook and local development against these resources need.

import { roles } from '../core/security/roles.bicep'

@description('Name of the storage account.')
param storageAccountName string

@description('Name of the container holding the policy blob; the app may read it, never write it.')
param policyContainerName string

@description('Name of the Service Bus namespace.')
param serviceBusNamespaceName string

@description('Name of the approvals queue.')
param approvalsQueueName string

@description('Name of the Key Vault.')
param keyVaultName string

@description('Name of the Key Vault key that signs export manifests and daily ledgers.')
param signingKeyName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Object id of the Function App\'s user-assigned identity.')
param appPrincipalId string

@description('Name of that identity: assignment names come from its resource id, which is known before deployment (its object id is not, and What-If could not predict them).')
param appIdentityName string

@description('Object id of the user or service principal running azd; empty: no deployer roles.')
param deployerPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principal deployerPrincipalId is.')
param deployerPrincipalType string = 'User'

@description('Give the deployer the data-plane roles below.')
param grantDeployerDataAccess bool = true

var deployerAccess = grantDeployerDataAccess && !empty(deployerPrincipalId)

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource approvalsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: serviceBus
  name: approvalsQueueName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource signingKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' existing = {
  parent: keyVault
  name: signingKeyName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Attribute-based condition on the app's blob role: no write, append or delete in the policy
// container (the gateway cannot rewrite the policy it is judged by), and deletes only in the
// Functions host's own containers (the session log, exports and held requests are never deleted).
var blobCondition = replace('''
(
 (
  !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'})
  AND
  !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'})
  AND
  !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})
 )
 OR
 (
  @Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals '{policyContainer}'
 )
)
AND
(
 (
  !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})
 )
 OR
 (
  @Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'azure-webjobs-hosts'
  OR
  @Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'azure-webjobs-secrets'
 )
)
''', '{policyContainer}', policyContainerName)

// Blob data without container management. The built-in Storage Blob Data Contributor also creates,
// changes and deletes containers (containers/write, containers/delete) and moves blobs; none of that
// is needed, since every container is created by app/storage.bicep. Data actions:
//   blobs/read        the policy, held requests, session blobs (chain heads, exports), host leases
//                     and keys, the deployment package
//   blobs/write       Put Blob (held requests, exports, manifests), Create of a session's append
//                     blob, host leases and keys
//   blobs/add/action  Append Block: the session log and the daily ledger
//   blobs/delete      the Functions host's leases and keys (the condition confines it there)
// and one action, containers/read: Get Container Properties (the health check), as in Storage Blob
// Data Reader. The role is assignable in this resource group only; its name is unique in the tenant.
resource blobDataRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'portcullis-blob-data')
  properties: {
    roleName: 'Portcullis blob data (${resourceGroup().name} ${uniqueString(resourceGroup().id)})'
    description: 'Portcullis gateway: read, write and append blobs; no container management.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/read'
        ]
        notActions: []
        dataActions: [
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

// Sign with one key and read its public half, nothing else: Key Vault Crypto User would also
// decrypt, unwrap, update and back up every key it is scoped to.
resource keySignerRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'portcullis-key-signer')
  properties: {
    roleName: 'Portcullis manifest signer (${resourceGroup().name} ${uniqueString(resourceGroup().id)})'
    description: 'Portcullis gateway: read a Key Vault key and sign digests with it.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/keys/read'
          'Microsoft.KeyVault/vaults/keys/sign/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

// ---- The app's identity -------------------------------------------------------------------------

// Blob data, account scope: the session recorder appends to `sessions` (shared/sessions/recorder.ts),
// the daily export writes `exports` (functions/export.ts, shared/sessions/daily-export.ts), approvals
// keep held requests in `approvals`, the policy store reads the policy blob
// (shared/app/policy-store.ts), the Functions host keeps keys and timer leases in its
// azure-webjobs-* containers (AzureWebJobsStorage__*), and Flex Consumption reads the deployment
// package. The custom role above, not a built-in one: no container can be created or deleted. The
// condition keeps the policy read-only and deletes in the host's containers.
resource appBlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, blobDataRole.id)
  scope: storage
  properties: {
    roleDefinitionId: blobDataRole.id
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: session log, exports, held approvals, policy (read only), host storage, deployment package'
    condition: blobCondition
    conditionVersion: '2.0'
  }
}

// Table data, account scope: the session indexes the recorder writes and the auditor API queries
// (shared/sessions/indexes.ts, shared/sessions/query.ts), the approvals state table, and the health
// check (shared/gateway/health.ts). The app creates missing tables (createTable), which this role
// allows.
resource appTableData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: session indexes, approvals state'
  }
}

// Send, approvals queue only: the gateway's ServiceBusClient sends the `requested`, `decided` and
// scheduled `timeout` events (shared/approvals), and the health check opens a sender
// (shared/gateway/health.ts).
resource appQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(approvalsQueue.id, appIdentity.id, roles.serviceBusDataSender)
  scope: approvalsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: send approval events'
  }
}

// Receive, approvals queue only: the `approvals` queue trigger (connection ServiceBusConnection)
// that runs the approval orchestrator.
resource appQueueReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(approvalsQueue.id, appIdentity.id, roles.serviceBusDataReceiver)
  scope: approvalsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: approvals queue trigger'
  }
}

// Owner, approvals queue only: the Flex Consumption scale controller reads the queue's message
// count through ServiceBusConnection to scale the approvals trigger, which takes Manage rights —
// the Functions docs list Data Owner for triggers for this reason. Scoped to the one queue, so it
// grants nothing on the namespace or any other entity.
resource appQueueScaling 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(approvalsQueue.id, appIdentity.id, roles.serviceBusDataOwner)
  scope: approvalsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: scale the approvals trigger on queue length'
  }
}

// Read secrets, this vault: the platform resolves the Key Vault references in the app settings
// (PORTCULLIS_LINK_SIGNING_KEY, PORTCULLIS_TEAMS_WEBHOOK_URL) as this identity
// (keyVaultReferenceIdentity), and the gateway reads connection credentials with SecretClient
// (shared/connections/credentials.ts). A connection whose secret lives in another vault needs this
// role there too (docs/deploy.md).
resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, appIdentity.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: Key Vault references and connection credentials'
  }
}

// Sign, the manifest-signing key only: the daily export and `portcullis sessions export` sign their
// manifests and the sealed ledger with it (shared/sessions/key-vault-signer.ts: KeyClient.getKey for
// the public key, CryptographyClient.sign). Scoped to the key, so no other key in the vault.
resource appKeySigner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(signingKey.id, appIdentity.id, keySignerRole.id)
  scope: signingKey
  properties: {
    roleDefinitionId: keySignerRole.id
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: sign export manifests and daily ledgers'
  }
}

// Publish telemetry, this component: the Functions host sends logs and metrics with Entra
// authentication (APPLICATIONINSIGHTS_AUTHENTICATION_STRING); local auth is disabled.
resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: Application Insights with Entra authentication'
  }
}

// ---- The deploying user (local development, postprovision hook) --------------------------------

// Blob data: the postprovision hook uploads the policy blob, azd deploy uploads the package, and
// `portcullis sessions export | verify | replay` read the session log.
resource deployerBlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployerAccess) {
  name: guid(storage.id, deployerPrincipalId, roles.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    description: 'Portcullis deployer: policy upload, deployment package, session log reads'
  }
}

// Table data: local development against these tables and the `portcullis sessions` queries.
resource deployerTableData 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployerAccess) {
  name: guid(storage.id, deployerPrincipalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    description: 'Portcullis deployer: local development, session queries'
  }
}

// Send and receive on the approvals queue: a local Functions host running against this queue.
resource deployerQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployerAccess) {
  name: guid(approvalsQueue.id, deployerPrincipalId, roles.serviceBusDataSender)
  scope: approvalsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    description: 'Portcullis deployer: local development'
  }
}

resource deployerQueueReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployerAccess) {
  name: guid(approvalsQueue.id, deployerPrincipalId, roles.serviceBusDataReceiver)
  scope: approvalsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    description: 'Portcullis deployer: local development'
  }
}

// Manage secrets: the postprovision hook creates the link-signing key, and the team stores the
// Teams webhook URL and connection credentials here.
resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployerAccess) {
  name: guid(keyVault.id, deployerPrincipalId, roles.keyVaultSecretsOfficer)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    description: 'Portcullis deployer: link-signing key, Teams webhook, connection credentials'
  }
}
