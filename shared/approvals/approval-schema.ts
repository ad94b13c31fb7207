// The stored approval, checked on every read: the Table is an edge like any other. What its outbox
// puts in the session log is checked here as the log's schema has it (the recorder trusts its callers' types).
import { z } from 'zod';
import { CREDENTIAL_TIERS } from '../connections/credential-schema.js';
import {
  recordedApprovalSchema,
  recordedDetailsSchema,
  recordedErrorSchema,
  recordedOperationSchema,
  recordedPrincipalSchema,
  requestIdSchema,
  sessionIdSchema,
} from '../sessions/schema.js';
import { STATUSES, type Approval } from './state.js';

const identity = { subject: z.string().min(1), issuer: z.string().min(1) };
const base = z.object({
  sessionId: sessionIdSchema,
  requestId: requestIdSchema,
  principal: recordedPrincipalSchema,
  connection: z.string().min(1),
  operation: recordedOperationSchema,
});
const outboxEvent = z.object({
  type: z.enum(['approval.decided', 'approval.expired', 'error']),
  approval: recordedApprovalSchema,
  error: recordedErrorSchema.optional(),
  details: recordedDetailsSchema.optional(),
});

export const approvalSchema = z.object({
  id: z.string().min(1),
  status: z.enum(STATUSES),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  base,
  requesterAliases: z.array(z.string()),
  rule: z.string(),
  message: z.string(),
  review: z.object({ groups: z.array(z.string()).min(1), minApprovals: z.int().min(1) }),
  credential: z.object({ tier: z.enum(CREDENTIAL_TIERS), elevated: z.boolean(), from: z.enum(CREDENTIAL_TIERS).optional(), missing: z.boolean().optional() }).optional(),
  decisions: z.array(
    z.object({
      ...identity,
      aliases: z.array(z.string()).optional(),
      verdict: z.enum(['approve', 'deny']),
      reason: z.string().optional(),
      at: z.iso.datetime(),
      via: z.enum(['api', 'page']),
      link: z.string().optional(),
    }),
  ),
  failure: z.object({ type: z.string(), detail: z.string() }).optional(),
  responseStatus: z.int().optional(),
  cardPostedAt: z.iso.datetime().optional(),
  executingSince: z.iso.datetime().optional(),
  outbox: z.array(z.object({ seq: z.int().nonnegative(), event: outboxEvent })),
  nextSeq: z.int().nonnegative(),
}) satisfies z.ZodType<Approval>;
