// Where a connection's credential comes from and how it is sent. The agent never holds it: the
// gateway resolves it at forward time (see credentials.ts).
import { z } from 'zod';

const keyVaultSource = z
  .object({
    vault: z.url().describe('Key Vault URI, e.g. https://my-vault.vault.azure.net'),
    secret: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'is not a Key Vault secret name').describe('secret name'),
  })
  .strict();

export const credentialSchema = z
  .object({
    keyVault: keyVaultSource.optional().describe('a Key Vault secret, read with the app\'s managed identity'),
    managedIdentity: z
      .object({ scope: z.string().min(1).describe('token scope, e.g. https://management.azure.com/.default') })
      .strict()
      .optional()
      .describe('an Entra ID token of the app\'s managed identity for a scope'),
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
  .strict()
  .refine((c) => [c.keyVault, c.managedIdentity, c.env].filter(Boolean).length === 1, {
    message: 'set exactly one of keyVault, managedIdentity, env',
  });

export type CredentialConfig = z.infer<typeof credentialSchema>;
