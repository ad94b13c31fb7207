// The user-assigned managed identity the gateway runs as: the Function App authenticates to
// storage, Service Bus, Key Vault and Application Insights with it, and it exists before the app,
// so its roles are in place when the app first starts.

@description('Name of the identity.')
param name string

@description('Region of the identity.')
param location string = resourceGroup().location

@description('Tags for the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity (assigned to the Function App).')
output resourceId string = identity.id

@description('Client id of the identity (AZURE_CLIENT_ID and the __clientId connection settings).')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity, the subject of its role assignments.')
output principalId string = identity.properties.principalId

@description('Name of the identity.')
output name string = identity.name
