import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';
import { credentialSchema, hasCredential } from '../credential-schema.js';

export const armConnectionSchema = connectionBase
  .extend({
    kind: z.literal('arm'),
    upstream: z
      .url({ protocol: /^https?$/ })
      .default('https://management.azure.com')
      .describe('Azure Resource Manager endpoint; another cloud\'s (e.g. https://management.usgovcloudapi.net) or a local stand-in'),
    credential: credentialSchema
      .optional()
      .describe('the gateway\'s token for ARM, usually managedIdentity with scope https://management.azure.com/.default'),
  })
  .strict()
  .refine(hasCredential, hasCredential.problem);

export type ArmConnection = z.infer<typeof armConnectionSchema>;
