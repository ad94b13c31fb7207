// Where a connection's credential comes from and how it is sent. The agent never holds it: the
// gateway resolves it at forward time (see credentials.ts).
import { z } from 'zod';

const keyVaultSource = z
  .object({
    vault: z.url().describe('Key Vault URI, e.g. https://my-vault.vault.azure.net'),
    secret: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'is not a Key Vault secret name').describe('secret name'),
  })
  .strict();

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not an environment variable name');

/** Where a secret the gateway needs (not sends) comes from: Key Vault, or in development an environment variable. */
const secretSource = z
  .object({
    keyVault: keyVaultSource.optional().describe('a Key Vault secret, read with the app\'s managed identity'),
    env: envName.optional().describe('an environment variable (only when PORTCULLIS_ENV=development)'),
  })
  .strict()
  .refine((s) => [s.keyVault, s.env].filter(Boolean).length === 1, { message: 'set exactly one of keyVault, env' });

export type SecretSource = z.infer<typeof secretSource>;

/** OAuth 2.0 client credentials (RFC 6749 §4.4): the gateway fetches an access token and sends that. */
const oauthSource = z
  .object({
    tokenUrl: z.url({ protocol: /^https?$/ }).describe('the authorization server\'s token endpoint (https outside development)'),
    clientId: z.string().min(1).describe('the gateway\'s client id at the authorization server'),
    clientSecret: secretSource.describe('the client secret: a Key Vault secret (or, in development, an environment variable)'),
    scope: z.string().min(1).optional().describe('the scope to ask for, space-separated'),
    clientAuth: z
      .enum(['basic', 'post'])
      .default('basic')
      .describe('how the client authenticates: HTTP Basic (client_secret_basic, which every server must support) or in the form body (client_secret_post)'),
  })
  .strict();

/** A credential's fields, before the check that it names one source (kinds that add fields extend this). */
export const credentialFields = z
  .object({
    keyVault: keyVaultSource.optional().describe('a Key Vault secret, read with the app\'s managed identity'),
    managedIdentity: z
      .object({
        scope: z.string().min(1).describe('token scope, e.g. https://management.azure.com/.default'),
        clientId: z
          .uuid()
          .optional()
          .describe('client id of a user-assigned managed identity of the app (one per credential tier: a Reader, a scoped Contributor); absent: the app\'s own identity'),
      })
      .strict()
      .optional()
      .describe('an Entra ID token of one of the app\'s managed identities for a scope'),
    env: envName.optional().describe('an environment variable (only when PORTCULLIS_ENV=development)'),
    oauth: oauthSource
      .optional()
      .describe('an access token from an OAuth 2.0 token endpoint (client credentials), cached until shortly before it expires and fetched again once when the upstream answers 401'),
    header: z.string().regex(/^[A-Za-z0-9-]+$/, 'is not a header name').default('Authorization').describe('header that carries it'),
    format: z
      .string()
      .refine((f) => f.includes('{value}'), 'must contain {value}')
      .default('Bearer {value}')
      .describe('how the header value is built; {value} is the credential'),
  })
  .strict();

/** The check every credential passes: it names exactly one source. */
export const oneSource = Object.assign(
  (c: { keyVault?: unknown; managedIdentity?: unknown; env?: unknown; oauth?: unknown }) => [c.keyVault, c.managedIdentity, c.env, c.oauth].filter(Boolean).length === 1,
  { problem: { message: 'set exactly one of keyVault, managedIdentity, env, oauth' } },
);

export const credentialSchema = credentialFields.refine(oneSource, oneSource.problem);

export type CredentialConfig = z.infer<typeof credentialSchema>;

export const CREDENTIAL_TIERS = ['read', 'write', 'admin'] as const;
export type Tier = (typeof CREDENTIAL_TIERS)[number];

/**
 * One credential per tier of operation, for least privilege: read-only operations use `read`,
 * everything else `write`; a rule may raise a request to `write`, and only an approval to `admin`
 * (see tiers.ts). A kind whose credential is narrower (a connection string) passes its own schema.
 */
export function credentialTiers<T extends z.ZodType>(credential: T) {
  return z
    .object({
      read: credential.describe('for operations classified read-only: a login or identity that can only read'),
      write: credential.describe('for every other operation'),
      admin: credential.optional().describe('only for requests an approval elevated (review: { elevate: admin }); absent: elevation is refused'),
    })
    .strict();
}

export const credentialTiersSchema = credentialTiers(credentialSchema);

/** For kinds that cannot work without one: `credential`, or `credentials` per tier. */
export const hasCredential = Object.assign(
  (connection: { credential?: unknown; credentials?: unknown }) => connection.credential !== undefined || connection.credentials !== undefined,
  { problem: { message: 'set credential, or credentials with one per tier (read, write, admin?)', path: ['credential'] } },
);
export type CredentialTiersConfig = z.infer<typeof credentialTiersSchema>;
