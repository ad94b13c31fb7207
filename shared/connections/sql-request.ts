// The body an agent posts to /api/sql/{connection} (every SQL kind): `{ "sql": "...", "params": [...] }`.
// Params are bind parameters ($1 or ?, by kind), sent apart from the SQL text and never interpolated into it.
import { z } from 'zod';
import type { AgentRequest } from './kind.js';
import { invalidSqlRequest } from './refusals.js';

const sqlRequestSchema = z
  .object({
    sql: z.string().min(1, 'must not be empty'),
    params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).max(65_535).default([]),
  })
  .strict();

export type SqlRequest = z.infer<typeof sqlRequestSchema>;
export type Param = SqlRequest['params'][number];

export function readSqlRequest(request: AgentRequest): SqlRequest {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body.bytes ?? new Uint8Array(0)));
  } catch {
    throw invalidSqlRequest('The body must be JSON: { "sql": "…", "params": [ … ] }.');
  }
  const parsed = sqlRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
    throw invalidSqlRequest(`${issues.join('; ')}. Expected { "sql": "…", "params": [strings, numbers, booleans or nulls] }.`);
  }
  return parsed.data;
}
