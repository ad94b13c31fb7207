import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';

export const httpConnectionSchema = connectionBase
  .extend({
    kind: z.literal('http'),
    upstream: z.url({ protocol: /^https?$/ }).describe('base URL of the target API; requests never leave its origin'),
    passBinary: z
      .boolean()
      .default(false)
      .describe('pass binary responses (images, archives) unmasked; by default they are refused because they cannot be masked'),
  })
  .strict();

export type HttpConnection = z.infer<typeof httpConnectionSchema>;
