// The double's options, checked with zod: a bad queue declaration stops startup with one error
// that lists every problem, and defaults follow Azure's (lock 30 s, 10 deliveries, 10 min window).
import { z } from 'zod';

// Azure's rule for queue names: letters, digits, '.', '-', '_' and '/', starting and ending with a letter or digit.
const queueName = z
  .string()
  .max(260)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?$/,
    'must be letters, digits, ".", "-", "_" or "/", starting and ending with a letter or digit',
  );

const queueSchema = z.strictObject({
  name: queueName,
  maxDeliveryCount: z.number().int().min(1).default(10),
  lockDurationMs: z.number().int().positive().default(30_000),
  // 0 turns duplicate detection off, as a queue created without requiresDuplicateDetection.
  duplicateDetectionWindowMs: z.number().int().nonnegative().default(10 * 60_000),
});

const optionsSchema = z
  .strictObject({
    queues: z.array(queueSchema),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(0),
  })
  .superRefine((options, ctx) => {
    // Entity names are case-insensitive in Service Bus, so "Approvals" and "approvals" are one queue.
    const seen = new Set<string>();
    options.queues.forEach((queue, index) => {
      const key = queue.name.toLowerCase();
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['queues', index, 'name'], message: `queue "${queue.name}" is declared twice` });
      }
      seen.add(key);
    });
  });

export type QueueSettings = z.infer<typeof queueSchema>;
export type DoubleSettings = z.infer<typeof optionsSchema>;

export class ServiceBusDoubleOptionsError extends Error {
  override name = 'ServiceBusDoubleOptionsError';
  constructor(readonly problems: string[]) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super(`Invalid Service Bus double options (${count}):\n  ${problems.join('\n  ')}`);
  }
}

/** Applies defaults, or throws one ServiceBusDoubleOptionsError naming every problem. */
export function parseOptions(input: unknown): DoubleSettings {
  const parsed = optionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ServiceBusDoubleOptionsError(
    parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`),
  );
}
