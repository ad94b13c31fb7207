// The settings the SQL kinds share: a connection string per login (in Key Vault, or env in
// development) and the limits on rows, time and rows written.
import { z } from 'zod';
import { maxAffectedRowsSchema } from './affected-rows-schema.js';
import { credentialSchema, credentialTiers } from './credential-schema.js';

export function sqlConnectionFields<K extends string>(kind: K, connectionStringExample: string, texts: { rowLimit: string; statementTimeoutMs: string }) {
  const connectionString = credentialSchema
    .refine((c) => c.managedIdentity === undefined, {
      message: `a ${kind} connection takes a connection string: use keyVault (or env in development)`,
    })
    .describe(`where the connection string (${connectionStringExample}) is kept: a Key Vault secret, or env in development`);
  return {
    kind: z.literal(kind),
    credential: connectionString.optional(),
    credentials: credentialTiers(connectionString)
      .optional()
      .describe('instead of credential: one connection string per tier, each with its own login (read: SELECT only)'),
    rowLimit: z.number().int().min(1).max(100_000).default(1000).describe(texts.rowLimit),
    statementTimeoutMs: z.number().int().min(100).max(600_000).default(15_000).describe(texts.statementTimeoutMs),
    maxAffectedRows: maxAffectedRowsSchema,
  };
}
