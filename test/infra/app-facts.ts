// What the infra must provide, derived from the app's own code rather than restated: the settings
// schema, the storage layout, the registered functions, and the Azure SDK clients the code
// constructs. test/infra/check.ts holds the Bicep to these facts.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { definitions } from '../../functions/registry.js';
import { CONTAINERS, QUEUES, TABLE_NAMES } from '../../shared/app/storage-layout.js';
import { settingsSchema } from '../../shared/platform/config.js';
import { SESSION_CONTAINER } from '../../shared/sessions/index.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Built-in Azure roles by name, with their role definition ids (from Azure's built-in roles list). */
export const BUILT_IN_ROLES = {
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Reader': '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Account Contributor': '17d1049b-9a84-46fb-8f53-869881c3d3ab',
  'Azure Service Bus Data Sender': '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
  'Azure Service Bus Data Receiver': '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
  'Azure Service Bus Data Owner': '090c5cfd-751d-490a-894a-3ce6f1109419',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  'Key Vault Crypto User': '12338af0-0e69-4776-bea7-57ae8d297424',
  'Key Vault Administrator': '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
} as const;

export type RoleName = keyof typeof BUILT_IN_ROLES;

/** What Azure checks: control-plane actions and data actions (`*` matches any run of characters). */
export interface Permissions {
  actions: string[];
  dataActions: string[];
}

const BLOB = 'Microsoft.Storage/storageAccounts/blobServices/containers';
const TABLE = 'Microsoft.Storage/storageAccounts/tableServices/tables';
const SECRETS = 'Microsoft.KeyVault/vaults/secrets';
const KEYS = 'Microsoft.KeyVault/vaults/keys';

/** The permissions of the built-in roles the app's identity may hold (Azure's built-in roles list). */
export const BUILT_IN_PERMISSIONS: Partial<Record<RoleName, Permissions>> = {
  'Storage Blob Data Contributor': {
    actions: [`${BLOB}/delete`, `${BLOB}/read`, `${BLOB}/write`, 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'],
    dataActions: [`${BLOB}/blobs/delete`, `${BLOB}/blobs/read`, `${BLOB}/blobs/write`, `${BLOB}/blobs/move/action`, `${BLOB}/blobs/add/action`],
  },
  'Storage Table Data Contributor': {
    actions: [`${TABLE}/read`, `${TABLE}/write`, `${TABLE}/delete`],
    dataActions: [`${TABLE}/entities/read`, `${TABLE}/entities/write`, `${TABLE}/entities/delete`, `${TABLE}/entities/add/action`, `${TABLE}/entities/update/action`],
  },
  'Azure Service Bus Data Sender': {
    actions: ['Microsoft.ServiceBus/*/queues/read', 'Microsoft.ServiceBus/*/topics/read', 'Microsoft.ServiceBus/*/topics/subscriptions/read'],
    dataActions: ['Microsoft.ServiceBus/*/send/action'],
  },
  'Azure Service Bus Data Receiver': {
    actions: ['Microsoft.ServiceBus/*/queues/read', 'Microsoft.ServiceBus/*/topics/read', 'Microsoft.ServiceBus/*/topics/subscriptions/read'],
    dataActions: ['Microsoft.ServiceBus/*/receive/action'],
  },
  'Azure Service Bus Data Owner': { actions: ['Microsoft.ServiceBus/*'], dataActions: ['Microsoft.ServiceBus/*'] },
  'Key Vault Secrets User': { actions: [], dataActions: [`${SECRETS}/getSecret/action`, `${SECRETS}/readMetadata/action`] },
  'Key Vault Crypto User': {
    actions: [],
    dataActions: [`${KEYS}/read`, `${KEYS}/update/action`, `${KEYS}/backup/action`, `${KEYS}/encrypt/action`, `${KEYS}/decrypt/action`, `${KEYS}/wrap/action`, `${KEYS}/unwrap/action`, `${KEYS}/sign/action`, `${KEYS}/verify/action`],
  },
  'Monitoring Metrics Publisher': { actions: ['Microsoft.Insights/Register/Action'], dataActions: ['Microsoft.Insights/Metrics/Write', 'Microsoft.Insights/Telemetry/Write'] },
};

/**
 * What one kind of access takes: the permissions Azure checks for the operations the code performs,
 * and the built-in role that would grant them (named in problem messages).
 */
export interface Need extends Permissions {
  name: string;
  builtIn: RoleName;
}

const need = (name: string, builtIn: RoleName, actions: string[], dataActions: string[]): Need => ({ name, builtIn, actions, dataActions });

/** Kinds of access, each with exactly the permissions its operations take. */
export const NEEDS = {
  // Get Container Properties (the health check), List Blobs, Get Blob, Put Blob, Create (append)
  // blob, Append Block. No container create, delete or write: every container is pre-created.
  blobData: need('blob read, write and append', 'Storage Blob Data Contributor', [`${BLOB}/read`], [`${BLOB}/blobs/read`, `${BLOB}/blobs/write`, `${BLOB}/blobs/add/action`]),
  // The Functions host's leases, timer status and keys in azure-webjobs-*, which it also deletes
  // (the role's condition confines deletes to those containers).
  hostBlobData: need('host storage (blob read, write, delete)', 'Storage Blob Data Contributor', [], [`${BLOB}/blobs/read`, `${BLOB}/blobs/write`, `${BLOB}/blobs/delete`]),
  // The session indexes, created when missing (createTable), and the approvals state.
  tableData: need('table data', 'Storage Table Data Contributor', [`${TABLE}/read`, `${TABLE}/write`], [`${TABLE}/entities/read`, `${TABLE}/entities/write`, `${TABLE}/entities/add/action`, `${TABLE}/entities/update/action`]),
  send: need('Service Bus send', 'Azure Service Bus Data Sender', [], ['Microsoft.ServiceBus/namespaces/messages/send/action']),
  receive: need('Service Bus receive', 'Azure Service Bus Data Receiver', [], ['Microsoft.ServiceBus/namespaces/messages/receive/action']),
  // Reading the queue length to scale takes Manage rights (Functions Service Bus binding docs).
  queueScaling: need('Service Bus manage (trigger scaling)', 'Azure Service Bus Data Owner', ['Microsoft.ServiceBus/*'], ['Microsoft.ServiceBus/*']),
  secretRead: need('Key Vault secret read', 'Key Vault Secrets User', [], [`${SECRETS}/getSecret/action`]),
  // The public half of the manifest-signing key, and signing a digest with it.
  keyRead: need('Key Vault key read', 'Key Vault Crypto User', [], [`${KEYS}/read`]),
  keySign: need('Key Vault key sign', 'Key Vault Crypto User', [], [`${KEYS}/sign/action`]),
  telemetry: need('telemetry publish', 'Monitoring Metrics Publisher', ['Microsoft.Insights/Register/Action'], ['Microsoft.Insights/Telemetry/Write']),
} satisfies Record<string, Need>;

export interface RoleNeed {
  need: Need;
  /** The code path that needs it, for the problem message. */
  because: string;
}

/** Azure SDK client class → the access its operations need. */
export const CLIENT_ROLES: Record<string, Need[]> = {
  BlobServiceClient: [NEEDS.blobData],
  ContainerClient: [NEEDS.blobData],
  BlobClient: [NEEDS.blobData],
  AppendBlobClient: [NEEDS.blobData],
  BlockBlobClient: [NEEDS.blobData],
  TableClient: [NEEDS.tableData],
  TableServiceClient: [NEEDS.tableData],
  // The app both sends approval events and, through the approvals queue trigger, receives them.
  ServiceBusClient: [NEEDS.send, NEEDS.receive],
  SecretClient: [NEEDS.secretRead],
  // shared/sessions/key-vault-signer.ts: getKey for the public key, then sign.
  KeyClient: [NEEDS.keyRead],
  CryptographyClient: [NEEDS.keySign],
};

/** Function trigger → access the Functions host (and its scale controller) needs. */
export const TRIGGER_ROLES: Record<string, Need[]> = {
  serviceBusQueue: [NEEDS.receive, NEEDS.queueScaling],
  // Timer schedules and singleton locks are blob leases in host storage.
  timer: [NEEDS.hostBlobData],
  http: [],
};

/** Access the platform needs whatever the code does. */
export const HOST_ROLES: RoleNeed[] = [
  { need: NEEDS.hostBlobData, because: 'the Functions host (identity-based AzureWebJobsStorage)' },
  { need: need('blob read', 'Storage Blob Data Contributor', [], [`${BLOB}/blobs/read`]), because: 'the Flex Consumption deployment package' },
  { need: NEEDS.telemetry, because: 'Application Insights with Entra authentication (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)' },
];

/** Settings Azure or the Functions host reads that the app's schema does not list. */
export const PLATFORM_SETTINGS = new Set([
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AzureWebJobsStorage__queueServiceUri',
  'ServiceBusConnection__credential',
  'ServiceBusConnection__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID',
]);

/** Settings the schema leaves optional (a local run does without them) that Azure needs set. */
export const PRODUCTION_SETTINGS: Record<string, string> = {
  PORTCULLIS_SIGNING_KEY_ID: 'without it the daily export refuses to run (shared/sessions/signer.ts)',
  WEBSITE_AUTH_AAD_ALLOWED_TENANTS: 'without it the review page accepts no reviewer (shared/approvals/review.ts)',
};

/** Containers the Functions host uses (identity-based AzureWebJobsStorage): its identity cannot create them. */
export const HOST_CONTAINERS = ['azure-webjobs-hosts', 'azure-webjobs-secrets'];

/** Settings App Service sets by itself. */
export const PLATFORM_PROVIDED = new Set(['WEBSITE_HOSTNAME']);

export interface SettingFact {
  name: string;
  /** The schema rejects the environment without it. */
  required: boolean;
  /** Its description says it is a Key Vault reference in Azure. */
  secret: boolean;
}

export interface AppFacts {
  settings: SettingFact[];
  sessionContainer: string;
  containers: string[];
  tables: string[];
  queues: typeof QUEUES;
  httpRoutes: string[];
  triggers: { trigger: string; name: string; queueName?: string; connection?: string }[];
  /** Azure SDK client classes the app's code constructs, with the file that does. */
  clients: { name: string; file: string }[];
}

/** Every source file of the deployed app (functions/ and shared/, tests excluded). */
export function appSources(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
    });
  return [join(repoRoot, 'functions'), join(repoRoot, 'shared')].flatMap(walk);
}

/** Classes imported from an @azure/* package and constructed with `new`, ending in `Client`. */
export function constructedAzureClients(): { name: string; file: string }[] {
  const found: { name: string; file: string }[] = [];
  for (const path of appSources()) {
    const text = readFileSync(path, 'utf8');
    const imported = new Map<string, string>();
    for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'(@azure\/[^']+)'/g)) {
      for (const part of m[1]!.split(',')) {
        const names = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
        if (names[0]) imported.set((names[1] ?? names[0]).trim(), names[0].trim());
      }
    }
    for (const m of text.matchAll(/\bnew\s+([A-Za-z_$][\w$]*)\s*\(/g)) {
      const original = imported.get(m[1]!);
      if (original?.endsWith('Client')) found.push({ name: original, file: relative(repoRoot, path) });
    }
  }
  return found;
}

const description = (schema: z.ZodType) => (schema as { description?: string }).description ?? '';

export function appFacts(): AppFacts {
  const settings = Object.entries(settingsSchema.shape).map(([name, schema]) => ({
    name,
    required: !(schema as z.ZodType).safeParse(undefined).success,
    secret: /Key Vault reference/i.test(description(schema as z.ZodType)),
  }));
  return {
    settings,
    sessionContainer: SESSION_CONTAINER,
    containers: [...CONTAINERS, ...HOST_CONTAINERS],
    tables: [...TABLE_NAMES],
    queues: QUEUES,
    httpRoutes: definitions.flatMap((fn) => (fn.trigger === 'http' ? [fn.route] : [])),
    triggers: definitions.map((fn) => ({
      trigger: fn.trigger,
      name: fn.name,
      ...(fn.trigger === 'serviceBusQueue' ? { queueName: fn.queueName, connection: fn.connection } : {}),
    })),
    clients: constructedAzureClients(),
  };
}

/** The access the app's identity needs, each with the code path that needs it. */
export function requiredRoles(facts: AppFacts): RoleNeed[] {
  const needs: RoleNeed[] = [...HOST_ROLES];
  for (const client of facts.clients) {
    for (const need of CLIENT_ROLES[client.name] ?? []) needs.push({ need, because: `${client.name} in ${client.file}` });
  }
  for (const trigger of facts.triggers) {
    for (const need of TRIGGER_ROLES[trigger.trigger] ?? []) needs.push({ need, because: `the ${trigger.trigger} trigger of function ${trigger.name}` });
  }
  if (facts.settings.some((s) => s.secret)) {
    needs.push({ need: NEEDS.secretRead, because: 'the Key Vault references in the app settings' });
  }
  return needs;
}

/** Built-in roles that grant a need but much more besides, so a custom role grants that need instead:
 * the blob roles create and delete containers, Crypto User decrypts, unwraps and updates keys. */
const TOO_BROAD = new Set<RoleName>(['Storage Blob Data Contributor', 'Key Vault Crypto User']);

/** Built-in roles the app's identity may hold: the narrowest built-in for some need. */
export const ALLOWED_BUILT_IN_ROLES = new Set<RoleName>(Object.values(NEEDS).map((n) => n.builtIn).filter((role) => !TOO_BROAD.has(role)));

/** Every permission some code path of the app could need: a custom role granting anything else is excess. */
export const NEEDED_PERMISSIONS: Permissions = {
  actions: [...new Set(Object.values(NEEDS).flatMap((n) => n.actions))],
  dataActions: [...new Set(Object.values(NEEDS).flatMap((n) => n.dataActions))],
};

/** Azure's matching: case-insensitive, `*` matching any run of characters. */
export function permissionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}
