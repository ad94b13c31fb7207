// The session log's event schema, version 1. A stored line is one of these objects; objects are
// strict, so a line with a field this version does not define fails verification.
import { z } from 'zod';

/**
 * A session id: 1–200 characters of letters, digits, `.`, `_` and `-`, starting with a letter or
 * digit. It names a blob and Table keys, so it can hold no `/`, `\`, `#` or `?`.
 */
export const sessionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'must be 1-200 letters, digits, ".", "_" or "-", starting with a letter or digit');

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');

const claimValue = z.union([z.string(), z.number(), z.boolean()]);
/** The principal as events record it: who, and on decision events what rules can match of it (masked claims). */
export const recordedPrincipalSchema = z.strictObject({
  subject: z.string().min(1),
  issuer: z.string().min(1),
  groups: z.array(z.string()),
  // On decision events since the what-if change: what rules can match of the principal (masked claims).
  kind: z.enum(['user', 'workload']).optional(),
  claims: z.record(z.string(), z.union([claimValue, z.array(claimValue)])).optional(),
});
/** The operation as events record it: its summary, masked. */
export const recordedOperationSchema = z.strictObject({
  kind: z.string(),
  summary: z.string(),
  actions: z.array(z.string()),
  resources: z.array(z.string()),
  flags: z.array(z.string()),
  // On decision events since the what-if change: the rest of what rules match, masked; `masked`
  // names the fields masking or truncation changed.
  method: z.string().optional(),
  path: z.string().optional(),
  query: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  text: z.string().optional(),
  masked: z.array(z.enum(['claims', 'headers', 'path', 'query', 'text'])).optional(),
});
const decision = z.strictObject({ action: z.enum(['allow', 'deny', 'review']), rule: z.string().nullable(), reason: z.string() });
const payload = z.strictObject({
  body: z.string(),
  /** Size of the original (unmasked, untruncated) payload. */
  bytes: z.int().nonnegative(),
  truncated: z.literal(true).optional(),
  contentType: z.string().optional(),
  status: z.int().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
const finding = z.strictObject({ rule: z.string(), location: z.string(), length: z.int().nonnegative(), hash: z.string() });
/** An approval as events record it; stored approvals' outboxes are checked against it too. */
export const recordedApprovalSchema = z.strictObject({
  id: z.string().min(1),
  status: z.string().min(1),
  reviewer: z.strictObject({ subject: z.string(), issuer: z.string() }).optional(),
  reason: z.string().optional(),
  expiresAt: z.iso.datetime().optional(),
});
export const recordedErrorSchema = z.strictObject({ type: z.string().min(1), detail: z.string() });
export const recordedDetailsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
/** A request id as events record it. */
export const requestIdSchema = z.string().min(1).max(200);

const common = {
  v: z.literal(1),
  seq: z.int().nonnegative(),
  prev: sha256Hex,
  hash: sha256Hex,
  time: z.iso.datetime(),
  sessionId: sessionIdSchema,
  requestId: requestIdSchema,
  principal: recordedPrincipalSchema.optional(),
  connection: z.string().min(1).optional(),
  operation: recordedOperationSchema.optional(),
  decision: decision.optional(),
  payload: payload.optional(),
  findings: z.array(finding).optional(),
  /** Findings beyond the first MAX_RECORDED_FINDINGS, counted but not listed. */
  findingsOmitted: z.int().positive().optional(),
  timings: z.record(z.string(), z.number().nonnegative()).optional(),
  approval: recordedApprovalSchema.optional(),
  error: recordedErrorSchema.optional(),
  details: recordedDetailsSchema.optional(),
};

export const sessionEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...common, type: z.literal('session.start') }),
  z.strictObject({ ...common, type: z.literal('request') }),
  z.strictObject({ ...common, type: z.literal('decision'), decision }),
  z.strictObject({ ...common, type: z.literal('approval.requested'), approval: recordedApprovalSchema }),
  z.strictObject({ ...common, type: z.literal('approval.decided'), approval: recordedApprovalSchema }),
  z.strictObject({ ...common, type: z.literal('approval.expired'), approval: recordedApprovalSchema }),
  z.strictObject({ ...common, type: z.literal('response') }),
  z.strictObject({ ...common, type: z.literal('error'), error: recordedErrorSchema }),
  z.strictObject({ ...common, type: z.literal('session.end') }),
]);

export type SessionEvent = z.infer<typeof sessionEventSchema>;
export type EventType = SessionEvent['type'];

export type RecordedPrincipal = z.infer<typeof recordedPrincipalSchema>;
export type RecordedOperation = z.infer<typeof recordedOperationSchema>;

/** What the gateway passes to the recorder; the recorder adds `v`, `seq`, `prev`, `hash` and `time`. */
export interface EventInput {
  type: Exclude<EventType, 'session.start'>;
  sessionId: string;
  requestId: string;
  principal?: RecordedPrincipal;
  connection?: string;
  operation?: RecordedOperation;
  decision?: { action: 'allow' | 'deny' | 'review'; rule: string | null; reason: string };
  /** `body` is already masked by the caller; `bytes` is the original size. */
  payload?: { body: string; bytes: number; contentType?: string; status?: number; headers?: Record<string, string> };
  /** Where masking found something, never the value. */
  findings?: Array<{ rule: string; location: string; length: number; hash: string }>;
  findingsOmitted?: number;
  /** Milliseconds, by step. */
  timings?: Record<string, number>;
  approval?: { id: string; status: string; reviewer?: { subject: string; issuer: string }; reason?: string; expiresAt?: string };
  error?: { type: string; detail: string };
  /** Kind-specific facts (model, token usage, finish reason, row count…). */
  details?: Record<string, string | number | boolean | null>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event with its time, waiting for its place in a chain. */
export type PendingEvent = DistributiveOmit<SessionEvent, 'v' | 'seq' | 'prev' | 'hash'>;
