import { z } from 'zod';
import { maxAffectedRowsSchema, reviewersForMaxAffectedRows } from '../affected-rows-schema.js';
import { connectionBase } from '../connection-schema.js';
import { credentialSchema, credentialTiers, hasCredential } from '../credential-schema.js';

const connectionString = credentialSchema
  .refine((c) => c.managedIdentity === undefined, {
    message: 'a mysql connection takes a connection string: use keyVault (or env in development)',
  })
  .describe('where the connection string (mysql://user:password@host:port/db?ssl={"rejectUnauthorized":true}) is kept: a Key Vault secret, or env in development');

export const mysqlConnectionSchema = connectionBase
  .extend({
    kind: z.literal('mysql'),
    credential: connectionString.optional(),
    credentials: credentialTiers(connectionString)
      .optional()
      .describe('instead of credential: one connection string per tier, each with its own login (read: SELECT only)'),
    dialect: z.enum(['mysql', 'mariadb']).default('mysql').describe('the grammar statements are parsed with: MySQL (Azure Database for MySQL) or MariaDB'),
    unparsable: z
      .enum(['deny', 'judge'])
      .default('deny')
      .describe('SQL the grammar cannot parse (or that holds executable comments /*! … */): refused before any rule (deny), or flagged unparsable for the rules to judge'),
    rowLimit: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe('rows returned at most; the result says truncated: true when there were more'),
    statementTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(15_000)
      .describe('time limit of the statement (MAX_EXECUTION_TIME on MySQL, max_statement_time on MariaDB, and a watchdog), in milliseconds; an overrun answers 504'),
    maxAffectedRows: maxAffectedRowsSchema,
    maskColumns: z
      .array(z.string().min(1))
      .default([])
      .describe('extra column names whose values are always masked (as sensitive JSON keys are: case, "_", "-", "." and spaces ignored; a column matches a name it equals or ends with)'),
  })
  .strict()
  .refine(reviewersForMaxAffectedRows, reviewersForMaxAffectedRows.problem)
  .refine(hasCredential, hasCredential.problem);

export type MysqlConnection = z.infer<typeof mysqlConnectionSchema>;
