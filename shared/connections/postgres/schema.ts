import { z } from 'zod';
import { maxAffectedRowsSchema, reviewersForMaxAffectedRows } from '../affected-rows-schema.js';
import { connectionBase } from '../connection-schema.js';
import { credentialSchema, credentialTiers, hasCredential } from '../credential-schema.js';

const connectionString = credentialSchema
  .refine((c) => c.managedIdentity === undefined, {
    message: 'a postgres connection takes a connection string: use keyVault (or env in development)',
  })
  .describe('where the connection string (postgresql://user:password@host:port/db?sslmode=…) is kept: a Key Vault secret, or env in development');

export const postgresConnectionSchema = connectionBase
  .extend({
    kind: z.literal('postgres'),
    credential: connectionString.optional(),
    credentials: credentialTiers(connectionString)
      .optional()
      .describe('instead of credential: one connection string per tier, each with its own login (read: SELECT only)'),
    rowLimit: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe('rows returned per statement at most; the result says truncated: true when there were more'),
    statementTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(15_000)
      .describe('statement_timeout of every statement, in milliseconds; an overrun answers 504'),
    maskColumns: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'columns whose values are always masked, and so is every result column computed from them (through functions, casts, operators, aliases, subqueries and CTEs): "column" (as sensitive JSON keys match: case, "_", "-" and spaces ignored, equal or ending with it), "table.column", "schema.table.column", with * for any schema, table or column ("*.card_number", "public.customers.*")',
      ),
    maxAffectedRows: maxAffectedRowsSchema,
    poolSize: z.number().int().min(1).max(20).default(4).describe('connections the gateway keeps open to this database at most'),
  })
  .strict()
  .refine(reviewersForMaxAffectedRows, reviewersForMaxAffectedRows.problem)
  .refine(hasCredential, hasCredential.problem);

export type PostgresConnection = z.infer<typeof postgresConnectionSchema>;
