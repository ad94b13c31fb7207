// The identities of one `arm` connection with credential tiers (docs/credentials.md): a reader and a
// writer, user-assigned, attached to the Function App. They live in the gateway's resource group,
// not in the one agents change: Contributor there could add a federated credential to the writer
// and use it outside the gateway. Their roles are given where agents work (connection-roles.bicep).
// The policy names them by client id: credentials.read/write.managedIdentity.clientId.

@description('Prefix of the identities\' names (-reader and -writer are appended).')
param name string

@description('Region of the identities.')
param location string = resourceGroup().location

@description('Tags for the identities.')
param tags object = {}

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

@description('Resource id of the reader identity (attached to the Function App).')
output readerId string = readerIdentity.id

@description('Client id of the reader identity (credentials.read.managedIdentity.clientId).')
output readerClientId string = readerIdentity.properties.clientId

@description('Object id of the reader identity, the subject of its Reader role.')
output readerPrincipalId string = readerIdentity.properties.principalId

@description('Resource id of the writer identity (attached to the Function App).')
output writerId string = writerIdentity.id

@description('Client id of the writer identity (credentials.write.managedIdentity.clientId).')
output writerClientId string = writerIdentity.properties.clientId

@description('Object id of the writer identity, the subject of its Contributor role.')
output writerPrincipalId string = writerIdentity.properties.principalId
