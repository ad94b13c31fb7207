// Monitoring: a Log Analytics workspace (Function App telemetry, Key Vault and storage audit logs)
// and a workspace-based Application Insights component that accepts only Entra-authenticated
// telemetry (local auth disabled: the instrumentation key alone cannot ingest).

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Region of both resources.')
param location string = resourceGroup().location

@description('Tags for both resources.')
param tags object = {}

// Application Insights accepts only 30, 60, 90, 120, 180, 270, 365, 550 or 730 days.
@allowed([
  365
  550
  730
])
@description('Days the workspace and the component keep logs; at least the session log\'s 365-day WORM period.')
param retentionInDays int = 365

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      // Entra-only ingestion: the workspace keys (legacy agents, the HTTP Data Collector API) could
      // otherwise write records into the workspace that holds the audit logs.
      disableLocalAuth: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
    RetentionInDays: retentionInDays
  }
}

@description('Name of the Application Insights component.')
output applicationInsightsName string = applicationInsights.name

@description('Resource id of the Log Analytics workspace.')
output logAnalyticsWorkspaceId string = logAnalytics.id

@description('Name of the Log Analytics workspace.')
output logAnalyticsName string = logAnalytics.name
