// Forwards an ARM request with the gateway's token: the answer masked with ARM's secret fields
// (strictly for secret-bearing actions), and the long-running-operation headers rewritten so the
// client polls through the gateway, where each poll is judged and recorded like any request.
import { agentResponseHeaders } from '../headers.js';
import type { AgentRequest, ForwardContext, GatewayResponse } from '../kind.js';
import type { Operation } from '../operation.js';
import { maskResponse } from '../response.js';
import { callUpstream, prepareCall, throughGateway } from '../upstream.js';
import type { ArmConnection } from './schema.js';
import { armMasker } from './secrets.js';

/** Deployments, deployment stacks and scripts, their operations, at any scope: answers with template outputs. */
const holdsOutputs = (operation: Operation) => /^Microsoft\.Resources\/(?:[^/]+\/)*deployment/i.test(String(operation.details.resourceType ?? ''));

/** Headers that carry an upstream URL the client follows. */
const LINK_HEADERS = ['azure-asyncoperation', 'location', 'operation-location'] as const;

export async function forwardArm(request: AgentRequest, operation: Operation, context: ForwardContext): Promise<GatewayResponse> {
  const config = context.connection.config as ArmConnection;
  const base = request.target!.url;
  const link = (url: string) => {
    try {
      return throughGateway(new URL(url, base), config.upstream, context);
    } catch {
      return undefined;
    }
  };
  const call = await prepareCall(request, context);
  const upstream = await callUpstream(call, context);
  const headers = agentResponseHeaders(upstream.headers);
  for (const name of LINK_HEADERS) {
    const value = headers.get(name);
    if (value === null) continue;
    // A link off the upstream would send the client (and its token) around the gateway.
    const rewritten = link(value);
    if (rewritten) headers.set(name, rewritten);
    else headers.delete(name);
  }
  return maskResponse(upstream, {
    // Only a secret-bearing action's success carries secrets; its failure is ARM's `{ error: { code,
    // message } }`, which the client must read (the policy's masker still runs over it).
    masker: armMasker(call.masker, { strict: operation.flags.includes('secrets') && upstream.status >= 200 && upstream.status < 300, outputs: holdsOutputs(operation), link }),
    captureBytes: context.captureBytes,
    passBinary: false,
    connection: context.connection.name,
    headers,
    details: {
      ...operation.details,
      // Ties the record to Azure's activity log.
      correlationId: upstream.headers.get('x-ms-correlation-request-id'),
      armRequestId: upstream.headers.get('x-ms-request-id'),
    },
  });
}
