// The app's settings: one zod schema over the environment. Every setting the app reads is here
// (infra and local.settings.sample.json are checked against this list), and a bad environment
// stops startup with one message that lists every problem.
import { z } from 'zod';

const bytes = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalText = z.string().trim().optional().transform((v) => (v === '' ? undefined : v));
const optionalUrl = optionalText.pipe(z.url().optional());

export const TELEMETRY_MODES = ['off', 'azure', 'console', 'otlp', 'api'] as const;
export type TelemetryMode = (typeof TELEMETRY_MODES)[number];

/** The settings the app reads, each with what it is for. */
export const settingsSchema = z.object({
  PORTCULLIS_ENV: z
    .enum(['development', 'production'])
    .default('production')
    .describe('development unlocks dev-only features (env credentials, dev sign-in); never set it in Azure'),
  PORTCULLIS_POLICY: z.string().trim().min(1, 'is required').describe('policy file path, or the https URL of a policy blob'),
  PORTCULLIS_POLICY_REFRESH_SECONDS: z.coerce.number().int().min(1).default(30).describe('how often a blob policy is checked for a new ETag'),
  PORTCULLIS_PUBLIC_URL: optionalUrl.describe('public base URL of the gateway, used in status and review links; defaults to https://$WEBSITE_HOSTNAME'),
  WEBSITE_HOSTNAME: optionalText.describe('set by App Service'),
  WEBSITE_AUTH_ENABLED: optionalText.describe('set by App Service when App Service Authentication is on'),
  WEBSITE_AUTH_AAD_ALLOWED_TENANTS: optionalText.describe(
    'Entra tenant ids (comma-separated) whose users may sign in on the review page: App Service Authentication admits only these, and the app checks the signed-in principal\'s tenant against them again; empty: no reviewer is accepted',
  ),
  PORTCULLIS_MAX_BODY_BYTES: bytes(10 * 1024 * 1024).describe('largest request body forwarded; larger gets 413'),
  PORTCULLIS_UPSTREAM_TIMEOUT_MS: millis(30_000).describe('time an upstream has to start answering; then 504'),
  PORTCULLIS_INSPECTION_BUDGET_MS: millis(2000).describe('CPU time one request may take to be masked and judged (in slices), and again to mask the exchange with its target; over it, 422 or 502'),
  PORTCULLIS_RECORD_MAX_PAYLOAD_BYTES: bytes(16 * 1024).describe('masked payloads in the session log are truncated at this size'),
  PORTCULLIS_RECORD_MAX_QUEUED_BYTES: bytes(32 * 1024 * 1024).describe(
    'events an instance holds for the session log, not yet written, at most; past it (storage hanging under load) further events are refused at once (strict: 503; best-effort: not recorded, and the session\'s next events written say how many were lost)',
  ),
  PORTCULLIS_RECORD_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(50)
    .describe(
      'the longest the response event of an answer the agent gets whole waits for the session\'s next request, to share its Append Block: it waits twice the session\'s last pace, and not at all for a session slower than this (0: never waits)',
    ),
  PORTCULLIS_LINK_SIGNING_KEY: z
    .string()
    .trim()
    .min(1, 'is required')
    .refine((v) => Buffer.from(v, 'base64').length >= 32, 'must be at least 32 bytes, base64-encoded')
    .describe('key that signs reviewer link tokens (a Key Vault reference in Azure)'),
  PORTCULLIS_TEAMS_WEBHOOK_URL: optionalUrl.describe('Teams Workflows webhook for approval cards (a Key Vault reference in Azure); empty: no cards'),
  PORTCULLIS_REVIEW_AUTH: z
    .enum(['appservice', 'dev'])
    .default('appservice')
    .describe('how reviewers sign in on the review page: App Service Authentication, or the local dev sign-in'),
  PORTCULLIS_SIGNING_KEY_ID: optionalText.describe(
    'key that signs export manifests and daily ledgers: a Key Vault key URL (https://VAULT.vault.azure.net/keys/NAME) in Azure, or a local PEM file (created when missing); empty: the daily export refuses to run',
  ),
  PORTCULLIS_TELEMETRY: z
    .preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v), z.enum(TELEMETRY_MODES).optional())
    .describe(
      'where traces and metrics go: azure (Application Insights, the default where APPLICATIONINSIGHTS_CONNECTION_STRING is set), console, otlp (OTEL_EXPORTER_OTLP_ENDPOINT), api (an SDK the process registered), off (the default otherwise)',
    ),
  PORTCULLIS_TRACE_SAMPLING: z.coerce.number().min(0).max(1).default(0.1).describe('share of requests traced, 0 to 1; metrics count every request'),
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText.describe('Application Insights to send telemetry to (set by the template)'),
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: optionalText.describe('ClientId=…;Authorization=AAD: the identity telemetry is sent as (set by the template)'),
  AZURE_CLIENT_ID: optionalText.describe('client id of the user-assigned managed identity the app authenticates as'),
  AzureWebJobsStorage: optionalText.describe('storage connection string (local development)'),
  AzureWebJobsStorage__accountName: optionalText.describe('storage account name (identity-based connection)'),
  AzureWebJobsStorage__blobServiceUri: optionalUrl.describe('blob endpoint (identity-based connection)'),
  AzureWebJobsStorage__tableServiceUri: optionalUrl.describe('table endpoint (identity-based connection)'),
  ServiceBusConnection: optionalText.describe('Service Bus connection string (local development)'),
  ServiceBusConnection__fullyQualifiedNamespace: optionalText.describe('Service Bus namespace host (identity-based connection)'),
});

type Settings = z.infer<typeof settingsSchema>;

export type StorageSettings =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; blobServiceUri: string; tableServiceUri: string };

export type ServiceBusSettings =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; fullyQualifiedNamespace: string };

export interface Config {
  env: 'development' | 'production';
  policySource: string;
  policyRefreshMs: number;
  publicUrl: string;
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  recordMaxPayloadBytes: number;
  /** Bytes of events held for the log at most (recorder.ts). */
  recordMaxQueuedBytes: number;
  /** Longest wait of an answer's response event for its session's next events (recorder.ts). */
  recordLingerMs: number;
  /** Time the masking of one request body may take, summed over its slices, before it is refused. */
  inspectionBudgetMs: number;
  linkSigningKey: Uint8Array;
  teamsWebhookUrl?: string;
  reviewAuth: 'appservice' | 'dev';
  /** A Key Vault key URL or a local key file: see shared/platform/signer.ts. */
  signingKeyId?: string;
  /** App Service Authentication is on, so its x-ms-client-principal header can be trusted. */
  appServiceAuthEnabled: boolean;
  /** Entra tenants a reviewer signed in with App Service Authentication may belong to. */
  reviewTenants: string[];
  managedIdentityClientId?: string;
  telemetry: { mode: TelemetryMode; sampling: number };
  storage: StorageSettings;
  serviceBus: ServiceBusSettings;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
  }
}

/** Reads the environment into a Config, or throws a ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = settingsSchema.safeParse(env, { reportInput: true });
  // Values are never echoed: a setting may hold a secret.
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const message =
          issue.code === 'invalid_type' && issue.input === undefined
            ? 'is required'
            : issue.code === 'invalid_value'
              ? `expected one of ${issue.values.join(', ')}`
              : issue.message;
        return `${issue.path.join('.')}: ${message}`;
      });
  // App Service leaves a Key Vault reference it could not resolve in place, as text.
  for (const name of Object.keys(settingsSchema.shape)) {
    if (env[name]?.startsWith('@Microsoft.KeyVault(')) {
      problems.push(`${name}: is a Key Vault reference App Service could not resolve (check the secret exists and the app's identity may read it)`);
    }
  }
  // The cross-setting checks read the raw values too, so one run reports everything.
  const raw = (name: keyof Settings) => (parsed.success ? parsed.data[name] : env[name]?.trim() || undefined) as string | undefined;
  const storage = storageSettings(raw, problems);
  const serviceBus = serviceBusSettings(raw, problems);
  const publicUrl = raw('PORTCULLIS_PUBLIC_URL') ?? (raw('WEBSITE_HOSTNAME') ? `https://${raw('WEBSITE_HOSTNAME')}` : undefined);
  if (!publicUrl) problems.push('PORTCULLIS_PUBLIC_URL: is required when WEBSITE_HOSTNAME is not set');
  if (raw('PORTCULLIS_REVIEW_AUTH') === 'dev' && (raw('PORTCULLIS_ENV') ?? 'production') !== 'development') {
    problems.push('PORTCULLIS_REVIEW_AUTH: "dev" sign-in is refused unless PORTCULLIS_ENV=development');
  }
  if (!parsed.success || problems.length > 0 || !storage || !serviceBus || !publicUrl) throw new ConfigError(problems);
  const s = parsed.data;
  return {
    env: s.PORTCULLIS_ENV,
    policySource: s.PORTCULLIS_POLICY,
    policyRefreshMs: s.PORTCULLIS_POLICY_REFRESH_SECONDS * 1000,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    maxBodyBytes: s.PORTCULLIS_MAX_BODY_BYTES,
    upstreamTimeoutMs: s.PORTCULLIS_UPSTREAM_TIMEOUT_MS,
    recordMaxPayloadBytes: s.PORTCULLIS_RECORD_MAX_PAYLOAD_BYTES,
    recordMaxQueuedBytes: s.PORTCULLIS_RECORD_MAX_QUEUED_BYTES,
    recordLingerMs: s.PORTCULLIS_RECORD_LINGER_MS,
    inspectionBudgetMs: s.PORTCULLIS_INSPECTION_BUDGET_MS,
    telemetry: {
      mode: s.PORTCULLIS_TELEMETRY ?? (s.APPLICATIONINSIGHTS_CONNECTION_STRING ? 'azure' : 'off'),
      sampling: s.PORTCULLIS_TRACE_SAMPLING,
    },
    linkSigningKey: new Uint8Array(Buffer.from(s.PORTCULLIS_LINK_SIGNING_KEY, 'base64')),
    teamsWebhookUrl: s.PORTCULLIS_TEAMS_WEBHOOK_URL,
    reviewAuth: s.PORTCULLIS_REVIEW_AUTH,
    signingKeyId: s.PORTCULLIS_SIGNING_KEY_ID,
    appServiceAuthEnabled: s.WEBSITE_AUTH_ENABLED?.toLowerCase() === 'true',
    reviewTenants: (s.WEBSITE_AUTH_AAD_ALLOWED_TENANTS ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    managedIdentityClientId: s.AZURE_CLIENT_ID,
    storage,
    serviceBus,
  };
}

type Raw = (name: keyof Settings) => string | undefined;

function storageSettings(raw: Raw, problems: string[]): StorageSettings | undefined {
  const connectionString = raw('AzureWebJobsStorage');
  if (connectionString) return { kind: 'connectionString', connectionString };
  const account = raw('AzureWebJobsStorage__accountName');
  const blobServiceUri = raw('AzureWebJobsStorage__blobServiceUri') ?? (account && `https://${account}.blob.core.windows.net`);
  const tableServiceUri = raw('AzureWebJobsStorage__tableServiceUri') ?? (account && `https://${account}.table.core.windows.net`);
  if (!blobServiceUri || !tableServiceUri) {
    problems.push('AzureWebJobsStorage: set a connection string, or AzureWebJobsStorage__accountName for an identity-based connection');
    return undefined;
  }
  return { kind: 'identity', blobServiceUri, tableServiceUri };
}

function serviceBusSettings(raw: Raw, problems: string[]): ServiceBusSettings | undefined {
  const connectionString = raw('ServiceBusConnection');
  if (connectionString) return { kind: 'connectionString', connectionString };
  const fullyQualifiedNamespace = raw('ServiceBusConnection__fullyQualifiedNamespace');
  if (fullyQualifiedNamespace) {
    return { kind: 'identity', fullyQualifiedNamespace };
  }
  problems.push('ServiceBusConnection: set a connection string, or ServiceBusConnection__fullyQualifiedNamespace for an identity-based connection');
  return undefined;
}
