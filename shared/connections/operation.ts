// What a request does, in its target's own terms. Every connection kind classifies a request into
// an Operation; the guard matches rules against it and the session log records its summary.
import { z } from 'zod';
import type { Tier } from './credential-schema.js';

const detailSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type OperationDetail = z.infer<typeof detailSchema>;

/** The one definition of an Operation: held requests are checked against it when read back. */
export const operationSchema = z.object({
  /** The connection kind that classified it. */
  kind: z.string(),
  /** HTTP method of the target call, or `SQL`. */
  method: z.string(),
  /** Normalized target path (`/repos/a/b`); empty for SQL. */
  path: z.string(),
  /** The query string as sent, without `?`; empty when there is none. */
  query: z.string(),
  /** What it does, e.g. `GET /repos/a/b`, `Microsoft.Compute/virtualMachines/delete`, `DropStmt`. */
  actions: z.array(z.string()),
  /** What it touches: tables, ARM resource ids, models. */
  resources: z.array(z.string()),
  /** Risk markers rules can match: `ddl`, `no-where`, `data-modifying-cte`, `opaque-code`… */
  flags: z.array(z.string()),
  /** Request headers as the agent sent them (lower-case names), minus credentials. */
  headers: z.record(z.string(), z.string()),
  /** The text body and prompt rules see (request body, prompt, SQL), before rule-text.ts normalises it; '' when not read. Recorded, masked. */
  text: z.string(),
  /**
   * More text only rules see, never recorded: a prompt's or a body's parts joined with nothing
   * (rule-text.ts partsText). Joined so, a secret is glued to its neighbours where masking cannot
   * tell where it starts.
   */
  matchText: z.string().optional(),
  /** One line for humans: logs, cards, the review page. */
  summary: z.string(),
  /** A tool call's arguments as JSON (mcp), for the `arguments` match; absent for other kinds. */
  arguments: z.unknown().optional(),
  /** The programs a command runs with their arguments (ssh, kubernetes exec), for `command` rules. */
  commands: z.array(z.object({ program: z.string(), args: z.array(z.string()) })).optional(),
  /** Kind-specific facts worth recording (model, subscription, row limit…). */
  details: z.record(z.string(), detailSchema),
});

export type Operation = z.infer<typeof operationSchema>;

/** The flag a kind's classify sets on an operation that only reads (SQL in a READ ONLY transaction, a model call that stores nothing). */
export const READ_ONLY_FLAG = 'read-only';

/** RFC 9110's safe methods: for kinds that speak HTTP, these read. Kinds without HTTP methods set the flag. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether an operation only reads, as far as its kind can tell. */
export function readOnly(operation: Pick<Operation, 'method' | 'flags'>): boolean {
  return operation.flags.includes(READ_ONLY_FLAG) || SAFE_METHODS.has(operation.method);
}

/** The credential tier an operation needs: read-only operations `read`, everything else `write` (the guard may set another; see tiers.ts). */
export function tierFor(operation: Pick<Operation, 'method' | 'flags'>): Tier {
  return readOnly(operation) ? 'read' : 'write';
}
