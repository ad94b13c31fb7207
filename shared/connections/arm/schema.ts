import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';

export const armConnectionSchema = connectionBase
  .extend({
    kind: z.literal('arm'),
    upstream: z.url({ protocol: /^https?$/ }).describe('base URL of the target API'),
  })
  .strict();

export type ArmConnection = z.infer<typeof armConnectionSchema>;
