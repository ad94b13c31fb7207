// The roles of one `arm` connection's identities (connection-identities.bicep), on the resource group
// this module is deployed to — the one agents may look at and change, never the subscription and
// never the gateway's own: Reader for the reader identity (no listKeys or secret actions), and
// Contributor for the writer identity. The gateway's own identity holds neither.
import { roles } from '../core/security/roles.bicep'

@description('Name of the connection in the policy, recorded in the role assignments\' descriptions.')
param connectionName string

@description('Subscription of the gateway, where the connection\'s identities are.')
param identitySubscriptionId string

@description('Resource group of the gateway, where the connection\'s identities are.')
param identityResourceGroupName string

@description('Prefix of the identities\' names (connection-identities.bicep): <prefix>-reader and <prefix>-writer.')
param identityPrefix string

// By name, not by the identities' outputs, so that What-If can predict the assignments.
resource readerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: '${identityPrefix}-reader'
  scope: resourceGroup(identitySubscriptionId, identityResourceGroupName)
}

resource writerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: '${identityPrefix}-writer'
  scope: resourceGroup(identitySubscriptionId, identityResourceGroupName)
}

resource readerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, readerIdentity.id, roles.reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.reader)
    principalId: readerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: reads of the arm connection ${connectionName}'
  }
}

resource writerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, writerIdentity.id, roles.contributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.contributor)
    principalId: writerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Portcullis: writes of the arm connection ${connectionName}'
  }
}
