// The storage account Portcullis keeps its records in, reachable with Entra identities only
// (shared-key access and public blob access disabled):
//   sessions   the session log, one append blob per session and day (docs/sessions.md); a
//              container-level time-based retention policy: no blob can be overwritten or deleted
//              for sessionRetentionDays, and protected append writes let the recorder keep appending
//              blocks to a session's blob (Append Block) without changing what is already written
//   exports    daily exports, JSONL plus a manifest of digests (functions/export.ts)
//   approvals  held requests waiting for a reviewer (DESIGN.md, Durable-style approvals)
//   policy     the policy blob PORTCULLIS_POLICY points at; the gateway may read it, never write it
//              (see the condition on its role in rbac.bicep)
//   deployment the Flex Consumption deployment package (azd deploy)
//   azure-webjobs-hosts, azure-webjobs-secrets  the Functions host's leases and keys
// Every container is created here: the app's identity cannot create or delete containers.
// and the Table indexes over the session log plus the approvals table
// (shared/app/storage-layout.ts lists them; test/infra checks the template creates each).

@description('Name of the storage account (3-24 lowercase letters and digits, globally unique).')
param name string

@description('Region of the account.')
param location string = resourceGroup().location

@description('Tags for the account.')
param tags object = {}

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
@description('Replication of the account; ZRS or GZRS where the region offers them keeps the audit record through a zone or region outage.')
param skuName string = 'Standard_LRS'

@description('Container the Flex Consumption deployment package is uploaded to.')
param deploymentContainerName string

@description('Container holding the policy blob.')
param policyContainerName string

@minValue(1)
@maxValue(146000)
@description('Days each session-log blob version stays immutable after it is written.')
param sessionRetentionDays int

@description('True once the sessions retention policy has been locked (docs/deploy.md): a locked policy cannot be rewritten, only extended with the CLI, so the template stops declaring it.')
param sessionRetentionLocked bool = false

@description('Network-isolated mode: refuse public traffic except from allowedIps (private endpoints in app/network.bicep).')
param networkIsolation bool = false

@description('Public IP addresses or CIDR ranges let through the firewall in network-isolated mode.')
param allowedIps array = []

@description('Resource id of the Log Analytics workspace that receives the blob audit log.')
param logAnalyticsWorkspaceId string

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    // Network-isolated: private endpoints only (app/network.bicep), plus any listed addresses.
    publicNetworkAccess: networkIsolation && empty(allowedIps) ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: networkIsolation ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: [
        for ip in allowedIps: {
          value: ip
          action: 'Allow'
        }
      ]
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    // Keeps every overwritten version outside the session log (the policy's history above all).
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource sessionsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: 'sessions'
  properties: {
    publicAccess: 'None'
  }
}

// Container-level time-based retention on `sessions`: while it holds, Put Blob over an existing blob
// and Delete Blob are refused, and with allowProtectedAppendWrites only Append Block may add to an
// append blob. Unlocked as deployed, so a trial environment can still be torn down; docs/deploy.md
// says how and when to lock it.
resource sessionsRetention 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2024-01-01' = if (!sessionRetentionLocked) {
  parent: sessionsContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: sessionRetentionDays
    allowProtectedAppendWrites: true
  }
}

resource exportsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: 'exports'
  properties: {
    publicAccess: 'None'
  }
}

resource approvalsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: 'approvals'
  properties: {
    publicAccess: 'None'
  }
}

resource policyContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: policyContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// The Functions host's own containers (AzureWebJobsStorage): created here because the app's identity
// has no right to create containers.
resource hostContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [
  for hostContainer in [
    'azure-webjobs-hosts'
    'azure-webjobs-secrets'
  ]: {
    parent: blobService
    name: hostContainer
    properties: {
      publicAccess: 'None'
    }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

// The session indexes (shared/sessions/indexes.ts), the approvals state table and the MCP path's
// sessions, tool pins and held calls (shared/gateway/mcp/store.ts).
var tableNames = [
  'sessiondays'
  'sessionsbytime'
  'sessionsbyprincipal'
  'sessionsbyconnection'
  'eventsbydecision'
  'sessionowners'
  'approvals'
  'mcp'
]

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// Versioning keeps every overwritten blob; previous versions outside the session log are dropped
// after 30 days. The policy container keeps all its versions: they are the history of the policy.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2024-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-previous-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${exportsContainer.name}/'
                '${approvalsContainer.name}/'
                '${deploymentContainer.name}/'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: 30
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

// Every read, write and delete on blobs, tables and queues (who, from where, which item) and their
// transaction metrics go to Log Analytics, kept as long as the session log is immutable; the
// account's own capacity and transaction metrics too.
var storageLogs = [
  {
    category: 'StorageRead'
    enabled: true
  }
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]

var storageMetrics = [
  {
    category: 'AllMetrics'
    enabled: true
  }
]

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: storageMetrics
  }
}

resource blobAuditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: storageLogs
    metrics: storageMetrics
  }
}

resource tableAuditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: tableService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: storageLogs
    metrics: storageMetrics
  }
}

resource queueAuditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: queueService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: storageLogs
    metrics: storageMetrics
  }
}

@description('Name of the storage account.')
output name string = storage.name

@description('Blob endpoint, ending in a slash.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Table endpoint, ending in a slash.')
output tableEndpoint string = storage.properties.primaryEndpoints.table

@description('Name of the container holding the session log.')
output sessionsContainerName string = sessionsContainer.name

@description('Name of the container holding the policy blob.')
output policyContainerName string = policyContainer.name
