// The network-isolated mode (main.bicep's networkIsolation): a virtual network the Function App
// joins (Flex Consumption VNet integration: a subnet delegated to Microsoft.App/environments), and
// private endpoints for the storage account (blob, table, queue) and the Key Vault in a second
// subnet, each resolved through a private DNS zone linked to the network. Storage and Key Vault
// then refuse public traffic (app/storage.bicep, core/security/keyvault.bicep). Service Bus stays
// public: private endpoints need the Premium tier (docs/deploy.md); it accepts Entra tokens only.

@description('Name of the virtual network.')
param name string

@description('Region of the network and the private endpoints.')
param location string = resourceGroup().location

@description('Tags for every resource.')
param tags object = {}

@description('Address space of the network.')
param addressPrefix string = '10.40.0.0/16'

@description('Subnet the Function App integrates with (delegated to Microsoft.App/environments; /27 at least, /24 leaves room to scale out).')
param appSubnetPrefix string = '10.40.1.0/24'

@description('Subnet holding the private endpoints.')
param privateEndpointSubnetPrefix string = '10.40.2.0/24'

@description('Name of the storage account reached through private endpoints.')
param storageAccountName string

@description('Name of the Key Vault reached through a private endpoint.')
param keyVaultName string

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
    ]
  }
}

resource appSubnet 'Microsoft.Network/virtualNetworks/subnets@2024-05-01' existing = {
  parent: vnet
  name: 'app'
}

resource privateEndpointSubnet 'Microsoft.Network/virtualNetworks/subnets@2024-05-01' existing = {
  parent: vnet
  name: 'private-endpoints'
}

// One private endpoint per sub-resource, each with its privatelink zone (cloud-agnostic suffixes).
var targets = [
  {
    name: 'blob'
    zone: 'privatelink.blob.${environment().suffixes.storage}'
  }
  {
    name: 'table'
    zone: 'privatelink.table.${environment().suffixes.storage}'
  }
  {
    name: 'queue'
    zone: 'privatelink.queue.${environment().suffixes.storage}'
  }
  {
    name: 'vault'
    // A vault's name (<vault>.vault.azure.net) resolves through privatelink.vaultcore.azure.net.
    zone: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
  }
]

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for target in targets: {
    name: target.zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (target, i) in targets: {
    parent: zones[i]
    name: vnet.name
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource endpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for target in targets: {
    name: 'pe-${target.name}-${name}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: privateEndpointSubnet.id
      }
      privateLinkServiceConnections: [
        {
          name: target.name
          properties: {
            privateLinkServiceId: target.name == 'vault' ? keyVault.id : storage.id
            groupIds: [
              target.name
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (target, i) in targets: {
    parent: endpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: target.name
          properties: {
            privateDnsZoneId: zones[i].id
          }
        }
      ]
    }
  }
]

@description('Resource id of the subnet the Function App integrates with.')
output appSubnetId string = appSubnet.id
