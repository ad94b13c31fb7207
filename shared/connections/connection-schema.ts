// Fields every connection has; each kind extends this in its own schema.ts.
import { z } from 'zod';
import { credentialSchema, credentialTiersSchema } from './credential-schema.js';

export const connectionBase = z.object({
  description: z.string().optional().describe('what this connection is for, shown to reviewers'),
  credential: credentialSchema.optional().describe('the credential the gateway adds; absent: none'),
  credentials: credentialTiersSchema
    .optional()
    .describe('instead of credential: one credential per tier (read, write, admin), chosen per request by its operation and the rule or approval that let it through'),
  groups: z
    .array(z.string().min(1))
    .optional()
    .describe('principals must be in one of these groups to use the connection; absent: any authenticated principal'),
  default: z
    .enum(['deny', 'review', 'allow'])
    .default('deny')
    .describe('decision when no rule matches a request on this connection'),
  reviewers: z
    .array(z.string().min(1))
    .optional()
    .describe('reviewer groups when the default decision is review, and (mcp) of a tool the server changed since it was pinned'),
});
