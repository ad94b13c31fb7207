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
  'Key Vault Administrator': '00482a5a-887f-4fb3-b363-3b7fe8e74483',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
} as const;

export type RoleName = keyof typeof BUILT_IN_ROLES;

export interface RoleNeed {
  role: RoleName;
  /** The code path that needs it, for the problem message. */
  because: string;
}

/** Azure SDK client class → the data roles its operations need. */
export const CLIENT_ROLES: Record<string, RoleName[]> = {
  BlobServiceClient: ['Storage Blob Data Contributor'],
  ContainerClient: ['Storage Blob Data Contributor'],
  BlobClient: ['Storage Blob Data Contributor'],
  AppendBlobClient: ['Storage Blob Data Contributor'],
  BlockBlobClient: ['Storage Blob Data Contributor'],
  TableClient: ['Storage Table Data Contributor'],
  TableServiceClient: ['Storage Table Data Contributor'],
  // The app both sends approval events and, through the approvals queue trigger, receives them.
  ServiceBusClient: ['Azure Service Bus Data Sender', 'Azure Service Bus Data Receiver'],
  SecretClient: ['Key Vault Secrets User'],
};

/** Function trigger → roles the Functions host (and its scale controller) needs. */
export const TRIGGER_ROLES: Record<string, RoleName[]> = {
  // Receiving, and reading the queue length to scale (Manage rights: Data Owner, per the
  // Functions Service Bus binding docs).
  serviceBusQueue: ['Azure Service Bus Data Receiver', 'Azure Service Bus Data Owner'],
  // Timer schedules and singleton locks are blob leases in host storage.
  timer: ['Storage Blob Data Contributor'],
  http: [],
};

/** Roles the platform needs whatever the code does. */
export const HOST_ROLES: RoleNeed[] = [
  { role: 'Storage Blob Data Contributor', because: 'the Functions host (identity-based AzureWebJobsStorage) and the Flex Consumption deployment package' },
  { role: 'Monitoring Metrics Publisher', because: 'Application Insights with Entra authentication (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)' },
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
  'WEBSITE_AUTH_AAD_ALLOWED_TENANTS',
]);

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
function appSources(): string[] {
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
    containers: [...CONTAINERS],
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

/** The roles the app's identity needs, each with the code path that needs it. */
export function requiredRoles(facts: AppFacts): RoleNeed[] {
  const needs: RoleNeed[] = [...HOST_ROLES];
  for (const client of facts.clients) {
    for (const role of CLIENT_ROLES[client.name] ?? []) needs.push({ role, because: `${client.name} in ${client.file}` });
  }
  for (const trigger of facts.triggers) {
    for (const role of TRIGGER_ROLES[trigger.trigger] ?? []) needs.push({ role, because: `the ${trigger.trigger} trigger of function ${trigger.name}` });
  }
  if (facts.settings.some((s) => s.secret)) {
    needs.push({ role: 'Key Vault Secrets User', because: 'the Key Vault references in the app settings' });
  }
  return needs;
}

/** Every role some code path of the app could need: anything else on its identity is excess. */
export const NEEDED_ROLE_NAMES = new Set<RoleName>([
  ...Object.values(CLIENT_ROLES).flat(),
  ...Object.values(TRIGGER_ROLES).flat(),
  ...HOST_ROLES.map((n) => n.role),
  'Key Vault Secrets User',
]);
