// The kubernetes connection kind: a proxy to an API server, judged in RBAC terms (classify.ts),
// with Secrets' values masked whole (secrets.ts) and watch streams masked event by event.
// exec, attach, port-forward and proxy need a websocket or SPDY upgrade, which Functions HTTP
// cannot carry: they are refused.
import { kubernetesErrors } from '../error-dialects.js';
import { agentResponseHeaders } from '../headers.js';
import type { ConnectionKind } from '../kind.js';
import { maskResponse } from '../response.js';
import { upstreamTarget } from '../target.js';
import { callUpstream, prepareCall } from '../upstream.js';
import { classifyKubernetes } from './classify.js';
import type { KubernetesConnection } from './schema.js';
import { upgradeNotSupported } from './refusals.js';
import { kubernetesMasker } from './secrets.js';

export const kubernetesKind: ConnectionKind = {
  route: 'proxy',
  readsBody: false,
  target: upstreamTarget,
  errorDialect: kubernetesErrors,
  classify: classifyKubernetes,
  async forward(request, operation, context) {
    const config = context.connection.config as KubernetesConnection;
    if (operation.flags.includes('streaming') || request.headers.has('upgrade')) {
      throw upgradeNotSupported(String(operation.details.subresource || 'This request'));
    }
    const call = await prepareCall(request, context);
    const upstream = await callUpstream(call, context);
    const headers = agentResponseHeaders(upstream.headers);
    const masker = config.maskSecrets ? kubernetesMasker(call.masker, { secretsAnswer: operation.flags.includes('secrets') }) : call.masker;
    // A watch is a stream of JSON events served as application/json: masked as NDJSON, event by event.
    const watching = operation.details.verb === 'watch' && upstream.ok && upstream.body;
    const masked = watching ? new Response(upstream.body, { status: upstream.status, headers: withType(upstream.headers, 'application/x-ndjson') }) : upstream;
    return maskResponse(masked, {
      masker,
      captureBytes: context.captureBytes,
      passBinary: false,
      connection: context.connection.name,
      headers,
      details: operation.details,
    });
  },
};

function withType(headers: Headers, type: string): Headers {
  const copy = new Headers(headers);
  copy.set('content-type', type);
  return copy;
}
