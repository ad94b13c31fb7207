// The Flex Consumption plan (FC1) the Function App runs on: Linux, scale to zero, per-instance
// memory and instance limits set on the app itself (functionAppConfig.scaleAndConcurrency).

@description('Name of the plan.')
param name string

@description('Region of the plan; Flex Consumption must be available there.')
param location string = resourceGroup().location

@description('Tags for the plan.')
param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

@description('Resource id of the plan.')
output id string = plan.id
