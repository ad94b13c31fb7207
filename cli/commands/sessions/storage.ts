// Which storage account the session commands read, in this order: --connection-string; else
// --account-url (an Azure account signed in with DefaultAzureCredential, or Azurite's http
// endpoint with its well-known key); else the AzureWebJobsStorage connection string; else the local
// stack that `portcullis dev` runs beside this folder (its endpoints in <state>/dev.json). When none
// gives one, the error says what was tried.
import { join, relative } from 'node:path';
import { appCredential, blobServiceClient, tableClient } from '../../../shared/platform/azure.js';
import type { StorageSettings } from '../../../shared/platform/config.js';
import type { SessionStores } from '../../../shared/sessions/index.js';
import { devAccount } from '../../dev/azurite.js';
import { readDevState, type DevState } from '../../dev/issuer.js';
import { UsageError, type CliIo } from '../../io.js';
import { DEFAULT_STATE_DIR } from './signing.js';

export const storageOptions = {
  'connection-string': { type: 'string' },
  'account-url': { type: 'string' },
  state: { type: 'string' },
} as const;

/** What --help says of the storage options. */
export const storageFlags = {
  'connection-string': ['TEXT', 'the storage account\'s connection string (default: AzureWebJobsStorage, else the local stack\'s)'],
  'account-url': ['URL', 'https://ACCOUNT.blob.core.windows.net (signed in with DefaultAzureCredential), or Azurite\'s http://127.0.0.1:PORT/devstoreaccount1'],
  state: ['DIR', `the state folder of portcullis dev, where the local stack's storage is found (default: ${DEFAULT_STATE_DIR})`],
} as const;

/** The local stack's storage as `portcullis dev` wrote it, and where that file is (for messages). */
export interface LocalStack {
  storage?: DevState['storage'];
  /** The dev.json looked at, relative to the working directory. */
  file: string;
}

export async function localStack(io: Pick<CliIo, 'cwd'>, state: string | undefined): Promise<LocalStack> {
  const dir = join(io.cwd, state ?? DEFAULT_STATE_DIR);
  const file = relative(io.cwd, join(dir, 'dev.json')) || 'dev.json';
  try {
    return { storage: (await readDevState(dir))?.storage, file };
  } catch {
    return { file };
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Azurite's well-known ports: blob 10000, table 10002. */
const AZURITE_TABLE_PORT: Record<string, string> = { '10000': '10002' };

export function storageSettings(
  values: { 'connection-string'?: string; 'account-url'?: string },
  env: NodeJS.ProcessEnv,
  local: LocalStack = { file: join(DEFAULT_STATE_DIR, 'dev.json') },
): StorageSettings {
  const accountUrl = values['account-url'];
  if (accountUrl !== undefined && values['connection-string'] !== undefined) {
    throw new UsageError('give --connection-string or --account-url, not both');
  }
  if (accountUrl !== undefined) return accountSettings(accountUrl, local);
  const connectionString = values['connection-string'] ?? env.AzureWebJobsStorage ?? local.storage?.connectionString;
  if (!connectionString) {
    throw new UsageError(
      `say which storage: tried --connection-string and --account-url (not given), AzureWebJobsStorage (not set), and ${local.file} (no local stack: run \`portcullis dev\` in this folder, or give --state DIR)`,
    );
  }
  return { kind: 'connectionString', connectionString };
}

function accountSettings(accountUrl: string, local: LocalStack): StorageSettings {
  const url = URL.canParse(accountUrl) ? new URL(accountUrl) : undefined;
  if (url?.protocol === 'http:' && LOOPBACK.has(url.hostname)) return azuriteSettings(url, local);
  if (!url || url.protocol !== 'https:' || !/^[a-z0-9]{3,24}\.blob\./.test(url.hostname)) {
    throw new UsageError(`--account-url "${accountUrl}" is not like https://ACCOUNT.blob.core.windows.net or Azurite's http://127.0.0.1:PORT/devstoreaccount1`);
  }
  return {
    kind: 'identity',
    blobServiceUri: url.origin,
    tableServiceUri: url.origin.replace('.blob.', '.table.'),
  };
}

/** Azurite over http: its well-known account and key, its table endpoint from the local stack or the well-known ports. */
function azuriteSettings(url: URL, local: LocalStack): StorageSettings {
  const blobEndpoint = `${url.origin}/${devAccount.name}`;
  const fromStack = local.storage?.blobEndpoint === blobEndpoint ? local.storage.tableEndpoint : undefined;
  const tablePort = AZURITE_TABLE_PORT[url.port];
  const tableEndpoint = fromStack ?? (tablePort ? `${url.protocol}//${url.hostname}:${tablePort}/${devAccount.name}` : undefined);
  if (!tableEndpoint) {
    throw new UsageError(
      `--account-url ${url.origin}: the table endpoint of this Azurite is not known (tried ${local.file}, and Azurite's well-known blob port 10000); give --connection-string instead`,
    );
  }
  return {
    kind: 'connectionString',
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccount.name};AccountKey=${devAccount.key};BlobEndpoint=${blobEndpoint};TableEndpoint=${tableEndpoint};`,
  };
}

export function sessionStores(settings: StorageSettings): SessionStores {
  const credential = appCredential(undefined);
  return {
    blobs: blobServiceClient(settings, credential),
    table: (name) => tableClient(settings, credential, name),
  };
}
