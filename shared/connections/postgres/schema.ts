import { z } from 'zod';
import { reviewersForMaxAffectedRows } from '../affected-rows-schema.js';
import { connectionBase } from '../connection-schema.js';
import { hasCredential } from '../credential-schema.js';
import { sqlConnectionFields } from '../sql-schema.js';

export const postgresConnectionSchema = connectionBase
  .extend({
    ...sqlConnectionFields(
      'postgres',
      'postgresql://user:password@host:port/db?sslmode=…',
      {
        rowLimit: 'rows returned per statement at most; the result says truncated: true when there were more',
        statementTimeoutMs: 'statement_timeout of every statement, in milliseconds; an overrun answers 504',
      },
    ),
    maskColumns: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'columns whose values are always masked, and so is every result column computed from them (through functions, casts, operators, aliases, subqueries and CTEs): "column" (as sensitive JSON keys match: case, "_", "-" and spaces ignored, equal or ending with it), "table.column", "schema.table.column", with * for any schema, table or column ("*.card_number", "public.customers.*")',
      ),
    poolSize: z.number().int().min(1).max(20).default(4).describe('connections the gateway keeps open to this database at most'),
  })
  .strict()
  .refine(reviewersForMaxAffectedRows, reviewersForMaxAffectedRows.problem)
  .refine(hasCredential, hasCredential.problem);

export type PostgresConnection = z.infer<typeof postgresConnectionSchema>;
