// The body an agent posts to /api/exec/{connection} on an ssh connection:
// `{ "command": "...", "stdin"?: "...", "timeoutSeconds"?: n }`.
import { z } from 'zod';
import type { AgentRequest } from '../kind.js';
import { invalidExecRequest as badRequest } from './refusals.js';

const execRequestSchema = z
  .object({
    command: z.string().min(1, 'must not be empty').max(65_536),
    stdin: z.string().optional(),
    timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  })
  .strict();

export type ExecRequest = z.infer<typeof execRequestSchema>;

export function readExecRequest(request: AgentRequest): ExecRequest {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body.bytes ?? new Uint8Array(0)));
  } catch {
    throw badRequest('The body must be JSON: { "command": "…", "stdin"?: "…", "timeoutSeconds"?: n }.');
  }
  const parsed = execRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
    throw badRequest(`${issues.join('; ')}. Expected { "command": "…", "stdin"?: "…", "timeoutSeconds"?: n }.`);
  }
  return parsed.data;
}
