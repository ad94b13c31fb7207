import { z } from 'zod';
import { reviewersForMaxAffectedRows } from '../affected-rows-schema.js';
import { connectionBase } from '../connection-schema.js';
import { hasCredential } from '../credential-schema.js';
import { sqlConnectionFields } from '../sql-schema.js';

export const mysqlConnectionSchema = connectionBase
  .extend({
    ...sqlConnectionFields(
      'mysql',
      'mysql://user:password@host:port/db?ssl={"rejectUnauthorized":true}',
      {
        rowLimit: 'rows returned at most; the result says truncated: true when there were more',
        statementTimeoutMs:
          'time limit of the statement (MAX_EXECUTION_TIME on MySQL, max_statement_time on MariaDB, and a watchdog), in milliseconds; an overrun answers 504',
      },
    ),
    database: z
      .string()
      .min(1)
      .optional()
      .describe(
        "the database the connection's logins use (the one their connection strings name): tables written without a database are reported in it too (customers as customers and shop.customers), and a connection string naming another database is refused",
      ),
    dialect: z.enum(['mysql', 'mariadb']).default('mysql').describe('the grammar statements are parsed with: MySQL (Azure Database for MySQL) or MariaDB'),
    unparsable: z
      .enum(['deny', 'judge'])
      .default('deny')
      .describe('SQL the grammar cannot parse (or that holds executable comments /*! … */): refused before any rule (deny), or flagged unparsable for the rules to judge'),
    maskColumns: z
      .array(z.string().min(1))
      .default([])
      .describe('extra column names whose values are always masked (as sensitive JSON keys are: case, "_", "-", "." and spaces ignored; a column matches a name it equals or ends with)'),
  })
  .strict()
  .refine(reviewersForMaxAffectedRows, reviewersForMaxAffectedRows.problem)
  .refine(hasCredential, hasCredential.problem);

export type MysqlConnection = z.infer<typeof mysqlConnectionSchema>;
