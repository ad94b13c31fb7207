// CanNotDelete locks on what must outlive a mistake: the storage account holding the WORM session
// log and the Key Vault holding the gateway's secrets. Deleting either takes removing its lock first,
// which needs Microsoft.Authorization/locks/delete (Owner or User Access Administrator).

@description('Name of the storage account.')
param storageAccountName string

@description('Name of the Key Vault.')
param keyVaultName string

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource storageLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete-session-log'
  scope: storage
  properties: {
    level: 'CanNotDelete'
    notes: 'Holds the immutable session log; remove this lock only to retire the environment (docs/deploy.md).'
  }
}

resource keyVaultLock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'do-not-delete-secrets'
  scope: keyVault
  properties: {
    level: 'CanNotDelete'
    notes: 'Holds the gateway\'s secrets and signing keys; remove this lock only to retire the environment (docs/deploy.md).'
  }
}
