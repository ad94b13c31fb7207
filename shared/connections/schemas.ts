// The connection kinds' schemas, composed for the policy. Pure: importing this pulls in no client.
import { z } from 'zod';
import { anthropicConnectionSchema } from './anthropic/schema.js';
import { armConnectionSchema } from './arm/schema.js';
import { httpConnectionSchema } from './http/schema.js';
import { mcpConnectionSchema } from './mcp/schema.js';
import { mysqlConnectionSchema } from './mysql/schema.js';
import { openaiConnectionSchema } from './openai/schema.js';
import { postgresConnectionSchema } from './postgres/schema.js';
import { sshConnectionSchema } from './ssh/schema.js';
import { kubernetesConnectionSchema } from './kubernetes/schema.js';

export const connectionSchema = z.discriminatedUnion('kind', [
  httpConnectionSchema,
  openaiConnectionSchema,
  anthropicConnectionSchema,
  armConnectionSchema,
  postgresConnectionSchema,
  mcpConnectionSchema,
  mysqlConnectionSchema,
  sshConnectionSchema,
  kubernetesConnectionSchema,
]);

export type ConnectionConfig = z.infer<typeof connectionSchema>;
