// The body an agent posts to /api/exec/{connection} on a kubernetes connection:
// `{ "namespace", "pod", "container"?, "command", "stdin"?, "timeoutSeconds"? }`. `command` is an
// argument vector run as it is (what `kubectl exec -- …` sends), or a string run by `sh -c`. Either
// way it is judged as the shell line that runs it, so `sh -c '…'` is looked into.
import { z } from 'zod';
import type { AgentRequest } from '../kind.js';
import { quoteArgv } from '../shell-command.js';
import { invalidPodExec } from './refusals.js';

// RFC 1123 names, as the API server requires them: nothing here can reach another path.
const name = (max: number) => z.string().max(max).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'is not a Kubernetes name');

const podExecSchema = z
  .object({
    namespace: name(63),
    pod: name(253),
    container: name(63).optional(),
    command: z.union([z.string().min(1, 'must not be empty').max(65_536), z.array(z.string().max(65_536)).min(1).max(1024)]),
    stdin: z.string().optional(),
    timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  })
  .strict();

export type PodExec = z.infer<typeof podExecSchema>;

const SHAPE = 'Expected { "namespace": "…", "pod": "…", "container"?: "…", "command": ["…"] or "…", "stdin"?: "…", "timeoutSeconds"?: n }.';

export function readPodExec(request: AgentRequest): PodExec {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body.bytes ?? new Uint8Array(0)));
  } catch {
    throw invalidPodExec(`The body must be JSON. ${SHAPE}`);
  }
  const parsed = podExecSchema.safeParse(body);
  if (!parsed.success) {
    throw invalidPodExec(`${parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`).join('; ')}. ${SHAPE}`);
  }
  return parsed.data;
}

/** What the container runs: the vector as given, or the string through sh -c. */
export const argvOf = (exec: PodExec): string[] => (typeof exec.command === 'string' ? ['sh', '-c', exec.command] : exec.command);

/** The command as the shell line rules and reviewers see. */
export const commandText = (exec: PodExec): string => (typeof exec.command === 'string' ? exec.command : quoteArgv(exec.command));

/** The API server's exec path for the request. */
export const execPath = (exec: PodExec): string => `/api/v1/namespaces/${exec.namespace}/pods/${exec.pod}/exec`;
