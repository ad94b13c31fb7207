// Judging a request written down instead of sent: a claim set and a request in its connection
// kind's terms go through the gateway's own steps — the principal from the claims (toPrincipal,
// without a signature to check), the target and body as the pipeline reads them, then
// classify → decide. What `portcullis policy test` and `policy explain` run, with no network.
import { z } from 'zod';
import type { AgentRequest } from '../connections/kind.js';
import { kinds } from '../connections/registry.js';
import type { ConnectionConfig } from '../connections/schemas.js';
import type { Principal } from '../identity/index.js';
import { toPrincipal } from '../identity/principal.js';
import type { NamedConnection, Policy } from '../policy/compile.js';
import { Refusal } from '../platform/problem.js';
import { readBody } from './body.js';
import { unknownConnection, unknownIssuer } from './refusals.js';
import { classifyAndDecide, type Judgement } from './judge.js';

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'is not a header name');
const jsonBody = z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]);

/** A request to an http-style connection (http, openai, arm), as the agent would send it. */
const proxiedRequest = z.strictObject({
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'is not an HTTP method')
    .transform((m) => m.toUpperCase())
    .default('GET'),
  path: z.string().startsWith('/', 'must start with / (the path after the connection name)'),
  query: z
    .union([z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())]))])
    .optional()
    .describe('the query string without ?, or name → value(s)'),
  headers: z.record(headerName, z.string()).optional(),
  body: jsonBody.optional().describe('text as sent, or a mapping/list sent as JSON'),
});

/** A statement for a postgres connection, as posted to /api/sql/{connection}. */
const sqlRequest = z.strictObject({
  sql: z.string().min(1, 'must not be empty'),
  params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  headers: z.record(headerName, z.string()).optional(),
});

/** An MCP request: one JSON-RPC message (or a batch), as the agent's client sends it. */
const mcpRequest = z.strictObject({
  message: z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]),
  headers: z.record(headerName, z.string()).optional(),
});

/** A command for an ssh connection, as posted to /api/exec/{connection}. */
const execRequest = z.strictObject({
  command: z.string().min(1, 'must not be empty'),
  stdin: z.string().optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  headers: z.record(headerName, z.string()).optional(),
});

/** A command in a container, as posted to /api/exec/{connection} on a kubernetes connection. */
const podExecRequest = z.strictObject({
  namespace: z.string().min(1),
  pod: z.string().min(1),
  container: z.string().min(1).optional(),
  command: z.union([z.string().min(1, 'must not be empty'), z.array(z.string()).min(1)]),
  stdin: z.string().optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  headers: z.record(headerName, z.string()).optional(),
});

interface Wire {
  method: string;
  path?: string;
  search: string;
  headers: Record<string, string>;
  body?: string;
}

/** Each kind's request shape and how it goes on the wire: the one entry a new kind adds. */
export const offlineRequests = {
  http: proxied(),
  openai: proxied(),
  anthropic: proxied(),
  arm: proxied(),
  kubernetes: {
    // The API through the proxy, or (with pod) a command through the exec route.
    schema: z.union([podExecRequest, proxiedRequest]),
    wire: (r: z.infer<typeof podExecRequest> | z.infer<typeof proxiedRequest>): Wire => ('pod' in r ? execWire(r) : proxied().wire(r)),
  },
  postgres: sql(),
  mysql: sql(),
  mcp: {
    schema: mcpRequest,
    wire: (r: z.infer<typeof mcpRequest>): Wire => ({
      method: 'POST',
      search: '',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...r.headers },
      body: JSON.stringify(r.message),
    }),
  },
  ssh: { schema: execRequest, wire: execWire },
} satisfies Record<ConnectionConfig['kind'], { schema: z.ZodType; wire(request: never): Wire }>;

/** A request to /api/exec/{connection}: its fields as the JSON body, no path. */
function execWire({ headers, ...r }: { headers?: Record<string, string> }): Wire {
  return { method: 'POST', search: '', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(r) };
}

function sql() {
  return {
    schema: sqlRequest,
    wire: (r: z.infer<typeof sqlRequest>): Wire => ({
      method: 'POST',
      search: '',
      headers: { 'content-type': 'application/json', ...r.headers },
      body: JSON.stringify({ sql: r.sql, params: r.params ?? [] }),
    }),
  };
}

function proxied() {
  return {
    schema: proxiedRequest,
    wire: (r: z.infer<typeof proxiedRequest>): Wire => {
      const headers = { ...r.headers };
      let body: string | undefined;
      if (typeof r.body === 'string') body = r.body;
      else if (r.body !== undefined) {
        body = JSON.stringify(r.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }
      const query = typeof r.query === 'string' ? r.query.replace(/^\?/, '') : r.query ? queryString(r.query) : '';
      return { method: r.method, path: r.path, search: query ? `?${query}` : '', headers, body };
    },
  };
}

function queryString(values: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  return params.toString();
}

export type OfflineKind = keyof typeof offlineRequests;

/** The request shape for a connection kind, or undefined for a kind that has none yet. */
export function offlineRequestSchema(kind: string): z.ZodType | undefined {
  return (offlineRequests as Record<string, { schema: z.ZodType }>)[kind]?.schema;
}

/** A token's claims, as `portcullis policy test` cases give them: `sub`, `iss` (default: the policy's first issuer), groups… */
export const claimsSchema = z.record(z.string(), z.unknown());

export interface OfflineInput {
  claims: Record<string, unknown>;
  connection: string;
  /** Already valid against offlineRequestSchema(kind of the connection). */
  request: unknown;
}

export type OfflineOutcome =
  | ({ outcome: 'decided'; principal: Principal; connection: NamedConnection } & Judgement)
  | { outcome: 'refused'; refusal: Refusal };

/** Judges one written-down request under `policy`; a step that would refuse it live refuses it here. */
export async function judgeOffline(policy: Policy, input: OfflineInput, options: { maxBodyBytes?: number } = {}): Promise<OfflineOutcome> {
  try {
    const connection = policy.connections.get(input.connection);
    if (!connection) throw unknownConnection(input.connection);
    const principal = principalOf(policy, input.claims);
    const request = await agentRequest(connection, input.request, options.maxBodyBytes ?? 10 * 1024 * 1024, policy);
    return { outcome: 'decided', principal, connection, ...(await classifyAndDecide(request, principal, connection, policy)) };
  } catch (error) {
    if (error instanceof Refusal) return { outcome: 'refused', refusal: error };
    throw error;
  }
}

/** The principal the gateway would make of a verified token with these claims. */
export function principalOf(policy: Policy, claims: Record<string, unknown>): Principal {
  const iss = claims.iss ?? policy.issuers[0]!.issuer;
  const issuer = policy.issuers.find((i) => i.issuer === iss);
  if (!issuer) throw unknownIssuer(iss);
  return toPrincipal({ ...claims, iss: issuer.issuer }, issuer);
}

async function agentRequest(connection: NamedConnection, written: unknown, maxBytes: number, policy: Policy): Promise<AgentRequest> {
  const kind = connection.config.kind;
  const shape = offlineRequests[kind];
  const wire = shape.wire(shape.schema.parse(written) as never);
  const target = wire.path === undefined ? undefined : kinds[kind].target?.(connection, wire.path.slice(1), wire.search);
  const bytes = wire.body === undefined ? undefined : new TextEncoder().encode(wire.body);
  const headers = new Headers(wire.headers);
  if (bytes) headers.set('content-length', String(bytes.byteLength));
  const body = await readBody(
    { method: wire.method, headers, body: bytes ? new Blob([bytes]).stream() : null },
    // A request without a path is all in its body (an exec on a kubernetes connection).
    { mustRead: kinds[kind].readsBody || target === undefined || policy.readsText(connection.name), maxBytes },
  );
  return { method: wire.method, target, headers, body };
}
