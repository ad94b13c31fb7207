// Azure clients, created once from config: identity-based (managed identity) in Azure, connection
// strings locally. Every other module receives these clients; none builds its own.
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';
import type { Config, ServiceBusSettings, StorageSettings } from './config.js';

export interface AzureClients {
  credential: TokenCredential;
  blobs: BlobServiceClient;
  table(name: string): TableClient;
  serviceBus: ServiceBusClient;
}

/** The app's own credential: its user-assigned managed identity when one is named. */
export function appCredential(clientId: string | undefined): TokenCredential {
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

// The gateway is in the request path and fails closed: a storage outage should refuse requests
// within a second or two, not after the SDK's default half-minute of backoff.
const blobRetry = { retryOptions: { maxTries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 1_000, tryTimeoutInMs: 60_000 } };

/**
 * Longest a Table call's try may take. The SDK has none, and storage that does not answer (a
 * partitioned network: connected, nothing comes back) would hold a request (a session's owner,
 * its indexes) for as long as the connection lives. A timed-out try is not tried again.
 */
const TABLE_TRY_TIMEOUT_MS = 10_000;
type TablePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];
const tryTimeout: TablePolicy = {
  name: 'portcullisTryTimeout',
  sendRequest: (request, next) => {
    request.timeout = TABLE_TRY_TIMEOUT_MS;
    return next(request);
  },
};
const tableRetry = {
  retryOptions: { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 1_000 },
  additionalPolicies: [{ policy: tryTimeout, position: 'perRetry' as const }],
};

export function blobServiceClient(storage: StorageSettings, credential: TokenCredential): BlobServiceClient {
  return storage.kind === 'connectionString'
    ? BlobServiceClient.fromConnectionString(storage.connectionString, blobRetry)
    : new BlobServiceClient(storage.blobServiceUri, credential, blobRetry);
}

export function tableClient(storage: StorageSettings, credential: TokenCredential, table: string): TableClient {
  return storage.kind === 'connectionString'
    ? TableClient.fromConnectionString(storage.connectionString, table, {
        ...tableRetry,
        allowInsecureConnection: /DefaultEndpointsProtocol=http;|TableEndpoint=http:/i.test(storage.connectionString),
      })
    : new TableClient(storage.tableServiceUri, table, credential, tableRetry);
}

/**
 * Service Bus operations (an approval's messages, sent while its request is held) are bounded
 * too: with the SDK's defaults a namespace that takes the connection and never answers holds the
 * caller for two minutes; with these, about 20 s. Receiving is not an operation: it waits as long
 * as it is asked to.
 */
const serviceBusRetry = { retryOptions: { maxRetries: 1, retryDelayInMs: 500, maxRetryDelayInMs: 2_000, timeoutInMs: 10_000 } };

export function serviceBusClient(settings: ServiceBusSettings, credential: TokenCredential): ServiceBusClient {
  return settings.kind === 'connectionString'
    ? new ServiceBusClient(settings.connectionString, serviceBusRetry)
    : new ServiceBusClient(settings.fullyQualifiedNamespace, credential, serviceBusRetry);
}

export function createAzureClients(config: Config): AzureClients {
  const credential = appCredential(config.managedIdentityClientId);
  const tables = new Map<string, TableClient>();
  return {
    credential,
    blobs: blobServiceClient(config.storage, credential),
    table(name) {
      let client = tables.get(name);
      if (!client) tables.set(name, (client = tableClient(config.storage, credential, name)));
      return client;
    },
    serviceBus: serviceBusClient(config.serviceBus, credential),
  };
}
