// The identities an `arm` connection with credential tiers uses (docs/credentials.md): a reader
// with Reader, and a writer with Contributor, both on the resource group this module is deployed
// to — the one agents may look at and change, never the subscription. The gateway's own identity
// holds neither role. Deploy it at the target resource group and attach both identities to the
// Function App:
//
//   module armTiers './app/connection-identities.bicep' = {
//     name: 'armTiers'
//     scope: resourceGroup(armTargetResourceGroup)
//     params: { name: 'portcullis-arm-${resourceToken}', location: location, tags: tags }
//   }
//   // app/api.bicep: identity.userAssignedIdentities gets armTiers.outputs.readerId and .writerId
//
// The policy names them by client id: credentials.read/write.managedIdentity.clientId.

@description('Prefix of the identities\' names (-reader and -writer are appended).')
param name string

@description('Region of the identities.')
param location string = resourceGroup().location

@description('Tags for the identities.')
param tags object = {}

// Built-in roles, by id (Azure shows the name in the comment).
var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7' // Reader
var contributor = 'b24988ac-6180-42a3-ab8c-d08fd56da8de' // Contributor

resource readerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-reader'
  location: location
  tags: tags
}

resource writerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-writer'
  location: location
  tags: tags
}

resource readerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, readerIdentity.id, reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', reader)
    principalId: readerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource writerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, writerIdentity.id, contributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributor)
    principalId: writerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the reader identity (attach to the Function App).')
output readerId string = readerIdentity.id

@description('Client id of the reader identity (credentials.read.managedIdentity.clientId).')
output readerClientId string = readerIdentity.properties.clientId

@description('Resource id of the writer identity (attach to the Function App).')
output writerId string = writerIdentity.id

@description('Client id of the writer identity (credentials.write.managedIdentity.clientId).')
output writerClientId string = writerIdentity.properties.clientId
