import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';

export const httpConnectionSchema = connectionBase
  .extend({
    kind: z.literal('http'),
    upstream: z.url({ protocol: /^https?$/ }).describe('base URL of the target API; requests never leave its origin'),
    passBinary: z
      .boolean()
      .default(false)
      .describe('pass binary responses (images, archives) of a declared length unmasked; by default they are refused because they cannot be masked'),
    streams: z
      .object({
        unknown: z
          .enum(['refuse', 'pass'])
          .default('refuse')
          .describe('what the gateway cannot judge as it streams — a binary type without a declared length, an unknown content encoding — is refused (the default) or passed unmasked'),
      })
      .strict()
      .default({ unknown: 'refuse' })
      .describe('how answers in a format the gateway cannot judge are handled'),
  })
  .strict();

export type HttpConnection = z.infer<typeof httpConnectionSchema>;
