// Where a connection's credential comes from and how it is sent. The agent never holds it: the
// gateway resolves it at forward time (see credentials.ts).
import { z } from 'zod';

const keyVaultSource = z
  .object({
    vault: z.url().describe('Key Vault URI, e.g. https://my-vault.vault.azure.net'),
    secret: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'is not a Key Vault secret name').describe('secret name'),
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
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not an environment variable name')
      .optional()
      .describe('an environment variable (only when PORTCULLIS_ENV=development)'),
    header: z.string().regex(/^[A-Za-z0-9-]+$/, 'is not a header name').default('Authorization').describe('header that carries it'),
    format: z
      .string()
      .refine((f) => f.includes('{value}'), 'must contain {value}')
      .default('Bearer {value}')
      .describe('how the header value is built; {value} is the credential'),
  })
  .strict();

/** The check every credential passes: it names exactly one source. */
export const oneSource = Object.assign((c: { keyVault?: unknown; managedIdentity?: unknown; env?: unknown }) => [c.keyVault, c.managedIdentity, c.env].filter(Boolean).length === 1, {
  problem: { message: 'set exactly one of keyVault, managedIdentity, env' },
});

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
