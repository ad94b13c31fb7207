// The Key Vault for Portcullis's secrets: target credentials that connections name in the policy
// (shared/connections/credentials.ts), the Teams webhook URL and the reviewer link-signing key
// (Key Vault references in the app settings). Access is by Azure RBAC only — no access policies —
// and every secret read and write is logged to Log Analytics.

@description('Name of the vault (3-24 characters, globally unique).')
param name string

@description('Region of the vault.')
param location string = resourceGroup().location

@description('Tags for the vault.')
param tags object = {}

@description('Turn on purge protection: a deleted secret or vault stays recoverable for the retention period and cannot be purged early. It cannot be turned off again.')
param purgeProtection bool = true

@description('Name of the key that signs export manifests and daily ledgers.')
param signingKeyName string

@description('Network-isolated mode: refuse public traffic except from allowedIps (private endpoints in app/network.bicep).')
param networkIsolation bool = false

@description('Public IP addresses or CIDR ranges let through the firewall in network-isolated mode.')
param allowedIps array = []

@description('Resource id of the Log Analytics workspace that receives the vault\'s audit log.')
param logAnalyticsWorkspaceId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The API refuses false once it was true, so "off" is sent as absent.
    enablePurgeProtection: purgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    // Network-isolated: private endpoints only (app/network.bicep), plus any listed addresses.
    publicNetworkAccess: networkIsolation && empty(allowedIps) ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: networkIsolation ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
      ipRules: [
        for ip in allowedIps: {
          value: ip
        }
      ]
    }
  }
}

// The manifest-signing key: EC P-256 (ES256), created in the vault and never exportable, so the
// private half never leaves it. The deployment creates the first version only; an existing key is
// left as it is (rotate it with `az keyvault key rotate`; the app signs with the current version).
resource signingKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: signingKeyName
  properties: {
    kty: 'EC'
    curveName: 'P-256'
    keyOps: [
      'sign'
      'verify'
    ]
    attributes: {
      enabled: true
      exportable: false
    }
  }
}

resource auditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'AuditEvent'
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

@description('Name of the vault.')
output name string = vault.name

@description('Versionless URI of the manifest-signing key (PORTCULLIS_SIGNING_KEY_ID).')
output signingKeyUri string = signingKey.properties.keyUri

@description('URI of the vault, ending in a slash (https://<name>.vault.azure.net/).')
output uri string = vault.properties.vaultUri
