// Which storage account the session commands read: --connection-string, else --account-url (signed
// in with DefaultAzureCredential), else the AzureWebJobsStorage connection string.
import { appCredential, blobServiceClient, tableClient } from '../../../shared/platform/azure.js';
import type { StorageSettings } from '../../../shared/platform/config.js';
import type { SessionStores } from '../../../shared/sessions/index.js';
import { UsageError } from '../../io.js';

export const storageOptions = {
  'connection-string': { type: 'string' },
  'account-url': { type: 'string' },
} as const;

export function storageSettings(values: { 'connection-string'?: string; 'account-url'?: string }, env: NodeJS.ProcessEnv): StorageSettings {
  const accountUrl = values['account-url'];
  if (accountUrl !== undefined && values['connection-string'] !== undefined) {
    throw new UsageError('give --connection-string or --account-url, not both');
  }
  if (accountUrl !== undefined) {
    const url = URL.canParse(accountUrl) ? new URL(accountUrl) : undefined;
    if (!url || url.protocol !== 'https:' || !/^[a-z0-9]{3,24}\.blob\./.test(url.hostname)) {
      throw new UsageError(`--account-url "${accountUrl}" is not like https://ACCOUNT.blob.core.windows.net`);
    }
    return {
      kind: 'identity',
      blobServiceUri: url.origin,
      tableServiceUri: url.origin.replace('.blob.', '.table.'),
    };
  }
  const connectionString = values['connection-string'] ?? env.AzureWebJobsStorage;
  if (!connectionString) throw new UsageError('say which storage: --connection-string, --account-url, or AzureWebJobsStorage in the environment');
  return { kind: 'connectionString', connectionString };
}

export function sessionStores(settings: StorageSettings): SessionStores {
  const credential = appCredential(undefined);
  return {
    blobs: blobServiceClient(settings, credential),
    table: (name) => tableClient(settings, credential, name),
  };
}
