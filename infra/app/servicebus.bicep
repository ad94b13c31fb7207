// The Service Bus namespace and the `approvals` queue approval events travel on (DESIGN.md,
// Durable-style approvals). Entra authentication only (local/SAS auth disabled). The queue's
// settings are the ones shared/gateway/storage-layout.ts QUEUES declares:
//   - duplicate detection: messageId = {approvalId}:{event}, so a repeated send is dropped;
//   - max delivery count: a message the orchestrator keeps failing on is dead-lettered, not retried
//     forever; expired messages are dead-lettered too, so nothing is silently lost;
//   - lock duration: how long one delivery may take before another instance gets the message.
// Standard tier: duplicate detection is not available on Basic.

@description('Name of the namespace (6-50 characters, globally unique).')
param name string

@description('Region of the namespace.')
param location string = resourceGroup().location

@description('Tags for the namespace.')
param tags object = {}

@description('Resource id of the Log Analytics workspace that receives the namespace\'s logs and metrics.')
param logAnalyticsWorkspaceId string

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource approvalsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: 'approvals'
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxDeliveryCount: 5
    lockDuration: 'PT1M'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
    requiresSession: false
    enablePartitioning: false
  }
}

// Operations on the namespace and its queue, and the metrics (dead-lettered and active messages).
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

// https://<name>.servicebus.windows.net:443/ -> <name>.servicebus.windows.net (cloud-agnostic).
var endpointAuthority = split(split(namespace.properties.serviceBusEndpoint, '//')[1], '/')[0]

@description('Name of the namespace.')
output name string = namespace.name

@description('Host name of the namespace (<name>.servicebus.windows.net in the public cloud).')
output fullyQualifiedNamespace string = split(endpointAuthority, ':')[0]

@description('Name of the approvals queue.')
output approvalsQueueName string = approvalsQueue.name
