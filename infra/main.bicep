targetScope = 'subscription'

// Portcullis in one resource group: the gateway (a Flex Consumption Function App running as a
// user-assigned identity), the storage its session log and approvals live in, the Service Bus queue
// approval events travel on, the Key Vault for its secrets, and monitoring. `azd up` deploys it;
// docs/deploy.md walks through it.

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: names the resource group and seeds the unique token in every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource; Flex Consumption must be available there (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user or service principal running azd (azd sets AZURE_PRINCIPAL_ID). It gets the data-plane roles the postprovision hook and local development need. Empty: none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principal principalId is: User for a person, ServicePrincipal for a CI identity.')
param principalType string = 'User'

@description('Give principalId data access (blobs, tables, the approvals queue, Key Vault secrets). Turn off for production environments provisioned from CI.')
param grantDeployerDataAccess bool = true

@description('Name of the resource group; empty: rg-<environmentName>.')
param resourceGroupName string = ''

@allowed([
  '22'
])
@description('Node.js version of the Function App (Node 20 reached end of life on 2026-04-30).')
param nodeVersion string = '22'

@minValue(40)
@maxValue(1000)
@description('Most instances the Function App scales out to; Flex Consumption accepts 40 to 1000.')
param maximumInstanceCount int = 100

@minValue(1)
@maxValue(146000)
@description('Days each session-log blob stays immutable after it is written (container-level time-based retention).')
param sessionRetentionDays int = 365

// Only values Application Insights also accepts for RetentionInDays (30, 60, 90, 120, 180, 270, 365,
// 550, 730), at least 365: the component refuses any other, e.g. 400, and the deployment fails.
@allowed([
  365
  550
  730
])
@description('Days Log Analytics and Application Insights keep logs (365, 550 or 730): at least the default 365-day WORM period of the session log, so the audit trail of who touched it lives as long.')
param logRetentionDays int = 365

@description('Email address alerts go to (dead-lettered approvals, failures and 5xx, recording-unavailable, policy-unavailable, health availability); empty: the action group has no receiver until one is added.')
param alertEmail string = ''

@description('Set to true after locking the sessions retention policy (docs/deploy.md); the template then leaves the locked policy alone.')
param sessionRetentionLocked bool = false

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
@description('Replication of the storage account; prefer ZRS or GZRS where the region offers them.')
param storageSkuName string = 'Standard_LRS'

@description('Key Vault purge protection (cannot be turned off once on). Keep it on in production.')
param keyVaultPurgeProtection bool = true

@description('Name of the policy blob in the policy container (PORTCULLIS_POLICY points at it).')
param policyBlobName string = 'policy.yaml'

@description('Public base URL when the gateway is served under a custom domain; empty: https://<default host name>.')
param publicUrl string = ''

@description('Client id of the Entra app registration reviewers sign in with on /api/review/*; empty: the review pages answer 401 until it is set.')
param reviewAuthClientId string = ''

@description('Object id of the Entra group whose members may sign in on the review pages.')
param reviewersGroupId string = ''

@description('Set PORTCULLIS_TEAMS_WEBHOOK_URL from the teams-webhook-url secret; create the secret first.')
param teamsWebhookEnabled bool = false

@description('Network-isolated mode: the Function App joins a virtual network, storage and Key Vault are reached through private endpoints and refuse public traffic (Service Bus stays public on the Standard tier; docs/deploy.md).')
param networkIsolation bool = false

@description('With networkIsolation: public IP addresses or CIDR ranges (comma-separated) still let through the storage and Key Vault firewalls, e.g. the deployer\'s for the postprovision hook; empty: no public access at all.')
param networkAllowedIps string = ''

@description('The arm connections whose credential tiers are identities of the app (docs/credentials.md): each gets a reader identity with Reader and a writer identity with Contributor on the resource group agents may look at and change. Empty: none.')
param armConnections armConnection[] = []

@description('An arm connection with credential tiers.')
type armConnection = {
  @description('The connection\'s name in the policy; names its identities.')
  @minLength(1)
  @maxLength(40)
  name: string

  @description('The resource group agents may look at (Reader) and change (Contributor) through it; never the gateway\'s own.')
  resourceGroup: string

  @description('Subscription of that resource group; absent: the deployment\'s.')
  subscriptionId: string?
}

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'
var policyContainerName = 'policy'
// Names passed to the modules that reference these resources, rather than module outputs, so What-If
// can predict those modules (the dependsOn entries keep the order).
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var serviceBusName = '${abbrs.serviceBusNamespaces}${resourceToken}'
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
var appIdentityName = '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
var approvalsQueueName = 'approvals' // app/servicebus.bicep creates it
var linkSigningKeySecretName = 'link-signing-key'
var manifestSigningKeyName = 'manifest-signing-key'
var teamsWebhookSecretName = 'teams-webhook-url'
// Each arm connection's identities are named <prefix>-reader and <prefix>-writer (connection-identities.bicep).
var armIdentityPrefixes = map(armConnections, connection => '${abbrs.managedIdentityUserAssignedIdentities}${connection.name}-${resourceToken}')
var allowedIps = filter(map(split(networkAllowedIps, ','), (ip) => trim(ip)), (ip) => !empty(ip))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module monitoring './core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

// The identity the gateway runs as; created first so its roles exist before the app starts.
module appIdentity './core/security/identity.bicep' = {
  name: 'appIdentity'
  scope: rg
  params: {
    name: appIdentityName
    location: location
    tags: tags
  }
}

// A second identity, with no role anywhere, that only the reviewers' sign-in app registration trusts
// through a federated credential (App Service's guidance for Easy Auth without a client secret).
module reviewIdentity './core/security/identity.bicep' = {
  name: 'reviewIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}review-${resourceToken}'
    location: location
    tags: tags
  }
}

// Each arm connection's reader and writer identities, beside the gateway's, with their roles where
// agents work.
module armIdentities './app/connection-identities.bicep' = [
  for (connection, i) in armConnections: {
    name: 'armIdentities-${connection.name}'
    scope: rg
    params: {
      name: armIdentityPrefixes[i]
      location: location
      tags: tags
    }
  }
]

module armRoles './app/connection-roles.bicep' = [
  for (connection, i) in armConnections: {
    // Deployed into the connection's resource group, which other environments may target too: the
    // token keeps their deployment names apart (at most 9 + 40 + 1 + 13 = 63 of the 64 characters).
    name: 'armRoles-${connection.name}-${resourceToken}'
    scope: resourceGroup(connection.?subscriptionId ?? subscription().subscriptionId, connection.resourceGroup)
    params: {
      connectionName: connection.name
      identitySubscriptionId: subscription().subscriptionId
      identityResourceGroupName: rg.name
      identityPrefix: armIdentityPrefixes[i]
    }
    dependsOn: [
      armIdentities
    ]
  }
]

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    skuName: storageSkuName
    deploymentContainerName: deploymentContainerName
    policyContainerName: policyContainerName
    sessionRetentionDays: sessionRetentionDays
    sessionRetentionLocked: sessionRetentionLocked
    networkIsolation: networkIsolation
    allowedIps: allowedIps
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module serviceBus './app/servicebus.bicep' = {
  name: 'serviceBus'
  scope: rg
  params: {
    name: serviceBusName
    location: location
    tags: tags
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module keyVault './core/security/keyvault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    purgeProtection: keyVaultPurgeProtection
    signingKeyName: manifestSigningKeyName
    networkIsolation: networkIsolation
    allowedIps: allowedIps
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module network './app/network.bicep' = if (networkIsolation) {
  name: 'network'
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
  }
  dependsOn: [
    storage
    keyVault
  ]
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storageAccountName
    policyContainerName: policyContainerName
    serviceBusNamespaceName: serviceBusName
    approvalsQueueName: approvalsQueueName
    keyVaultName: keyVaultName
    signingKeyName: manifestSigningKeyName
    applicationInsightsName: applicationInsightsName
    appPrincipalId: appIdentity.outputs.principalId
    appIdentityName: appIdentityName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    grantDeployerDataAccess: grantDeployerDataAccess
  }
  dependsOn: [
    storage
    serviceBus
    keyVault
    monitoring
  ]
}

// Nobody deletes the audit record or the vault by accident, or by a single compromised role:
// removing either needs the lock removed first (Microsoft.Authorization/locks/delete).
module locks './core/security/locks.bicep' = {
  name: 'locks'
  scope: rg
  params: {
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
  }
  dependsOn: [
    storage
    keyVault
  ]
}

module plan './core/host/flex-consumption-plan.bicep' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    serviceName: 'api'
    appServicePlanId: plan.outputs.id
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    identityId: appIdentity.outputs.resourceId
    identityClientId: appIdentity.outputs.clientId
    reviewIdentityId: reviewIdentity.outputs.resourceId
    reviewIdentityClientId: reviewIdentity.outputs.clientId
    connectionIdentityIds: flatten(map(armIdentityPrefixes, prefix => [
      resourceId(subscription().subscriptionId, rg.name, 'Microsoft.ManagedIdentity/userAssignedIdentities', '${prefix}-reader')
      resourceId(subscription().subscriptionId, rg.name, 'Microsoft.ManagedIdentity/userAssignedIdentities', '${prefix}-writer')
    ]))
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    serviceBusNamespaceFqdn: serviceBus.outputs.fullyQualifiedNamespace
    keyVaultName: keyVaultName
    policyUrl: '${storage.outputs.blobEndpoint}${policyContainerName}/${policyBlobName}'
    linkSigningKeySecretName: linkSigningKeySecretName
    signingKeyName: manifestSigningKeyName
    teamsWebhookSecretName: teamsWebhookSecretName
    teamsWebhookEnabled: teamsWebhookEnabled
    publicUrl: publicUrl
    reviewAuthClientId: reviewAuthClientId
    reviewersGroupId: reviewersGroupId
    virtualNetworkSubnetId: network.?outputs.appSubnetId ?? ''
  }
  // The identity's roles first: the app reads its deployment package and Key Vault references as
  // that identity from its first start.
  dependsOn: [
    rbac
    keyVault
    armIdentities
  ]
}

module alerts './core/monitor/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    prefix: 'portcullis-${resourceToken}'
    location: location
    tags: tags
    alertEmail: alertEmail
    applicationInsightsName: applicationInsightsName
    serviceBusNamespaceName: serviceBusName
    approvalsQueueName: approvalsQueueName
    functionAppName: functionAppName
    gatewayUrl: 'https://${api.outputs.defaultHostName}'
  }
}

// Outputs become azd environment values (the postprovision hook and docs/deploy.md use them).
// Names and endpoints only: no key, connection string or secret value ever leaves the deployment.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_FUNCTION_NAME string = api.outputs.name
output AZURE_FUNCTION_HOSTNAME string = api.outputs.defaultHostName
output APP_IDENTITY_CLIENT_ID string = appIdentity.outputs.clientId
output APP_IDENTITY_PRINCIPAL_ID string = appIdentity.outputs.principalId
output REVIEW_IDENTITY_CLIENT_ID string = reviewIdentity.outputs.clientId
output REVIEW_IDENTITY_PRINCIPAL_ID string = reviewIdentity.outputs.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output SESSIONS_CONTAINER_NAME string = storage.outputs.sessionsContainerName
output POLICY_CONTAINER_NAME string = storage.outputs.policyContainerName
output POLICY_BLOB_NAME string = policyBlobName
output PORTCULLIS_POLICY_URL string = '${storage.outputs.blobEndpoint}${policyContainerName}/${policyBlobName}'
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output PORTCULLIS_SIGNING_KEY_ID string = keyVault.outputs.signingKeyUri
output LINK_SIGNING_KEY_SECRET_NAME string = linkSigningKeySecretName
output TEAMS_WEBHOOK_SECRET_NAME string = teamsWebhookSecretName
output TEAMS_WEBHOOK_ENABLED bool = teamsWebhookEnabled
// The client ids the policy's arm connections name (credentials.read/write.managedIdentity.clientId).
output ARM_CONNECTION_IDENTITIES array = [
  for (connection, i) in armConnections: {
    connection: connection.name
    readClientId: armIdentities[i].outputs.readerClientId
    writeClientId: armIdentities[i].outputs.writerClientId
  }
]
