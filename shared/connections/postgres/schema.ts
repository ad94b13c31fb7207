import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';

export const postgresConnectionSchema = connectionBase
  .extend({
    kind: z.literal('postgres'),
  })
  .strict();

export type PostgresConnection = z.infer<typeof postgresConnectionSchema>;
