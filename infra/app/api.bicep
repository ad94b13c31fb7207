// The gateway: a Function App on the Flex Consumption plan that runs as the user-assigned identity
// and reaches everything through identity-based connections (no keys, no connection strings).
// Its app settings are every setting the app reads (shared/platform/config.ts, settingsSchema)
// that Azure does not set itself; the two secrets are Key Vault references resolved with the same
// identity. App Service Authentication requires Entra sign-in on the reviewer pages
// (/api/review/*) and leaves every other route to the app's own OIDC token checks.

@description('Name of the Function App.')
param name string

@description('Region of the Function App.')
param location string = resourceGroup().location

@description('Tags for the Function App; the azd-service-name tag is added here.')
param tags object = {}

@description('The azure.yaml service this app hosts.')
param serviceName string = 'api'

@description('Resource id of the Flex Consumption plan.')
param appServicePlanId string

@allowed([
  '22'
])
@description('Node.js version (functionAppConfig.runtime).')
param nodeVersion string = '22'

@minValue(40)
@maxValue(1000)
@description('Upper bound on instances; Flex Consumption accepts 40 to 1000.')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Memory of each instance, in MB.')
param instanceMemoryMB int = 2048

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Resource id of the identity only the reviewers\' sign-in app registration trusts (no roles).')
param reviewIdentityId string

@description('Client id of that identity.')
param reviewIdentityClientId string

@description('Resource ids of the arm connections\' reader and writer identities (connection-identities.bicep), attached so the app can take their tokens.')
param connectionIdentityIds string[] = []

@description('Name of the storage account (host storage, session log, approvals, policy, deployment package).')
param storageAccountName string

@description('Container the deployment package is uploaded to.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Host name of the Service Bus namespace.')
param serviceBusNamespaceFqdn string

@description('Name of the Key Vault holding the app\'s secrets.')
param keyVaultName string

@description('https URL of the policy blob (PORTCULLIS_POLICY).')
param policyUrl string

@description('Name of the Key Vault secret holding the reviewer link-signing key.')
param linkSigningKeySecretName string

@description('Name of the Key Vault key that signs export manifests and daily ledgers.')
param signingKeyName string

@description('Name of the Key Vault secret holding the Teams Workflows webhook URL.')
param teamsWebhookSecretName string

@description('Set PORTCULLIS_TEAMS_WEBHOOK_URL from that secret (create the secret first).')
param teamsWebhookEnabled bool = false

@description('Public base URL under a custom domain; empty: the app uses https://$WEBSITE_HOSTNAME.')
param publicUrl string = ''

@description('Client id of the Entra app registration reviewers sign in with; empty: the review pages answer 401 to everyone.')
param reviewAuthClientId string = ''

@description('Object id of the Entra group allowed to sign in on the review pages; empty: no group restriction beyond the app registration\'s own.')
param reviewersGroupId string = ''

@description('Resource id of the subnet (delegated to Microsoft.App/environments) the app integrates with; empty: no virtual network.')
param virtualNetworkSubnetId string = ''

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// Every setting the app needs in Azure. WEBSITE_HOSTNAME is set by App Service, so
// PORTCULLIS_PUBLIC_URL is only set for a custom domain.
var appSettings = {
  // Functions host storage (keys, timer leases), identity-based, as the user-assigned identity.
  // The app builds its own blob and table clients from the same two URIs (shared/platform/azure.ts).
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  // Service Bus, identity-based: the app's ServiceBusClient and the approvals queue trigger
  // (connection `ServiceBusConnection`).
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespaceFqdn
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  // Application Insights with Entra authentication (the component refuses key-only ingestion).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // Portcullis itself (shared/platform/config.ts).
  AZURE_CLIENT_ID: identityClientId
  PORTCULLIS_ENV: 'production'
  PORTCULLIS_POLICY: policyUrl
  PORTCULLIS_REVIEW_AUTH: 'appservice'
  // Reviewers come from this tenant only: App Service Authentication enforces it, and the app checks
  // the signed-in principal's tenant (and that the provider is Entra) against it again.
  WEBSITE_AUTH_AAD_ALLOWED_TENANTS: tenant().tenantId
  // Versionless reference: a new secret version is picked up within 24 hours, or at once on any
  // configuration change.
  PORTCULLIS_LINK_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/${linkSigningKeySecretName}/)'
  // Versionless key URL: the current version signs, and each manifest names the version it used.
  PORTCULLIS_SIGNING_KEY_ID: '${keyVault.properties.vaultUri}keys/${signingKeyName}'
}

// Optional: an unresolvable reference would be taken for the URL itself, so it is only set once
// the secret exists.
var teamsSettings = teamsWebhookEnabled ? {
  PORTCULLIS_TEAMS_WEBHOOK_URL: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/${teamsWebhookSecretName}/)'
} : {}

var publicUrlSettings = empty(publicUrl) ? {} : {
  PORTCULLIS_PUBLIC_URL: publicUrl
}

var reviewSignInEnabled = !empty(reviewAuthClientId)

// App Service Authentication signs reviewers in with no client secret: the app registration trusts
// a second user-assigned identity, which holds no role anywhere, through a federated credential
// (docs/deploy.md). The runtime identity's roles are never one federated credential away.
var reviewSignInSettings = reviewSignInEnabled ? {
  OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: reviewIdentityClientId
} : {}

// The routes App Service Authentication leaves alone: agents, CI jobs, reviewers deciding by API and
// auditors present their own OIDC bearer tokens, which the app verifies (shared/identity). Any other
// path — the reviewer pages under /api/review/ — requires Entra sign-in.
var appTokenPaths = [
  '/api/proxy/*'
  '/api/sql/*'
  '/api/mcp/*'
  '/api/exec/*'
  '/api/approvals'
  '/api/approvals/*'
  '/api/sessions'
  '/api/sessions/*'
  '/api/health'
]

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: union(
      {
        '${identityId}': {}
        '${reviewIdentityId}': {}
      },
      toObject(connectionIdentityIds, id => id, _ => {})
    )
  }
  properties: {
    serverFarmId: appServicePlanId
    httpsOnly: true
    // Key Vault references are resolved as the user-assigned identity, not a system identity.
    keyVaultReferenceIdentity: identityId
    // Network-isolated mode: outbound traffic leaves through the virtual network, so storage and Key
    // Vault are reached on their private endpoints.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

resource appSettingsConfig 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, teamsSettings, publicUrlSettings, reviewSignInSettings)
}

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: true
      // Until an app registration is configured nobody can sign in: the review pages answer 401.
      unauthenticatedClientAction: reviewSignInEnabled ? 'RedirectToLoginPage' : 'Return401'
      redirectToProvider: reviewSignInEnabled ? 'azureactivedirectory' : null
      excludedPaths: appTokenPaths
    }
    identityProviders: reviewSignInEnabled ? {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          clientId: reviewAuthClientId
          clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
        }
        validation: {
          allowedAudiences: [
            'api://${reviewAuthClientId}'
          ]
          defaultAuthorizationPolicy: {
            allowedPrincipals: {
              groups: empty(reviewersGroupId) ? [] : [
                reviewersGroupId
              ]
            }
          }
        }
      }
    } : {}
    login: {
      tokenStore: {
        enabled: false
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}

// Deployments go through Entra (azd), never through publishing passwords.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

@description('Name of the Function App.')
output name string = site.name

@description('Default host name of the Function App.')
output defaultHostName string = site.properties.defaultHostName

@description('Base URL of the gateway.')
output uri string = empty(publicUrl) ? 'https://${site.properties.defaultHostName}' : publicUrl
