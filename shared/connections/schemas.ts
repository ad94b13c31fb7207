// The connection kinds' schemas, composed for the policy. Pure: importing this pulls in no client.
import { z } from 'zod';
import { httpConnectionSchema } from './http/schema.js';

export const connectionSchema = z.discriminatedUnion('kind', [httpConnectionSchema]);

export type ConnectionConfig = z.infer<typeof connectionSchema>;
