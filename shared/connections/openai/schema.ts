import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';

export const openaiConnectionSchema = connectionBase
  .extend({
    kind: z.literal('openai'),
    upstream: z.url({ protocol: /^https?$/ }).describe('base URL of the target API'),
  })
  .strict();

export type OpenaiConnection = z.infer<typeof openaiConnectionSchema>;
