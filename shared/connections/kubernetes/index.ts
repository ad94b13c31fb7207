// The kubernetes connection kind: a proxy to an API server, judged in RBAC terms (classify.ts),
// with Secrets' values masked whole (secrets.ts) and watch streams masked event by event; the API
// server is asked for JSON alone (media.ts).
// A held request is refused while it waits, in a shape kubectl prints (../refusals.ts heldForReview).
// exec, attach, port-forward and proxy need a websocket or SPDY upgrade, which Functions HTTP
// cannot carry: through the proxy they are refused. A command in a container is posted to
// /api/exec/{connection} instead, and the gateway runs it through the exec endpoint itself (exec.ts),
// answering its output masked like an ssh command's.
import { kubernetesErrors } from '../error-dialects.js';
import { execAnswer, wantsStream } from '../exec-output.js';
import { agentResponseHeaders } from '../headers.js';
import type { AgentRequest, ConnectionKind, ForwardContext, GatewayResponse } from '../kind.js';
import type { Operation } from '../operation.js';
import { bodyKind, maskResponse } from '../response.js';
import { upstreamTarget } from '../target.js';
import { callUpstream, prepareCall, withCredential } from '../upstream.js';
import { classifyKubernetes } from './classify.js';
import { runPodExec } from './exec.js';
import { argvOf, commandText, execPath, readPodExec } from './exec-request.js';
import { jsonAccept } from './media.js';
import { heldForReview } from '../refusals.js';
import { commandChanged, upgradeNotSupported } from './refusals.js';
import { certificateAuthority, type KubernetesConnection } from './schema.js';
import { kubernetesMasker } from './secrets.js';

export const kubernetesKind: ConnectionKind = {
  route: 'proxy',
  bodyRoutes: ['exec'],
  readsBody: false,
  target: upstreamTarget,
  errorDialect: kubernetesErrors,
  // A command posted to /api/exec is held as an ssh command is: 202 and the approval's status.
  heldRefusal: (held) => (held.bodyRoute ? undefined : heldForReview(held)),
  classify: (request, connection) => classifyKubernetes(request, connection.config as KubernetesConnection),
  async forward(request, operation, context) {
    if (!request.target) return forwardExec(request, operation, context);
    const config = context.connection.config as KubernetesConnection;
    if (operation.flags.includes('streaming') || request.headers.has('upgrade')) {
      throw upgradeNotSupported(String(operation.details.subresource || 'This request'));
    }
    const call = await prepareCall(request, context);
    call.ca = authorityOf(config);
    call.headers.set('accept', jsonAccept(call.headers.get('accept')));
    const upstream = await callUpstream(call, context);
    const headers = agentResponseHeaders(upstream.headers);
    const masker = config.maskSecrets ? kubernetesMasker(call.masker, { secretsAnswer: operation.flags.includes('secrets') }) : call.masker;
    // A watch is a stream of JSON events served as application/json: masked as NDJSON, event by
    // event. A stream in any other type keeps it, and is refused as a body the gateway cannot read.
    const watching = operation.details.verb === 'watch' && upstream.ok && upstream.body && bodyKind(upstream.headers.get('content-type')) === 'json';
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

async function forwardExec(request: AgentRequest, operation: Operation, context: ForwardContext): Promise<GatewayResponse> {
  const config = context.connection.config as KubernetesConnection;
  const exec = readPodExec(request);
  // What runs must be what was judged (a held request runs after its review).
  if (commandText(exec) !== operation.text) throw commandChanged();
  const { headers, masker } = await withCredential(new Headers(), context);
  const url = new URL(`${config.upstream.replace(/\/+$/, '')}${execPath(exec)}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const arg of argvOf(exec)) url.searchParams.append('command', arg);
  if (exec.container) url.searchParams.set('container', exec.container);
  url.searchParams.set('stdout', 'true');
  url.searchParams.set('stderr', 'true');
  if (exec.stdin !== undefined) url.searchParams.set('stdin', 'true');
  const target = {
    url,
    headers,
    connection: context.connection.name,
    stdin: exec.stdin,
    timeoutMs: Number(operation.details.timeoutSeconds ?? config.execTimeoutSeconds) * 1000,
    connectTimeoutMs: context.timeoutMs,
    ca: authorityOf(config),
    mask: (text: string) => masker.text(text).text,
  };
  return execAnswer((run) => runPodExec(target, run), {
    streaming: wantsStream(request.headers),
    masker,
    maxOutputBytes: config.maxOutputBytes,
    captureBytes: context.captureBytes,
  });
}

function withType(headers: Headers, type: string): Headers {
  const copy = new Headers(headers);
  copy.set('content-type', type);
  return copy;
}

/** The connection's own certificate authority as PEM (decoded once per value), if it names one. */
const authorities = new Map<string, string | undefined>();
function authorityOf(config: KubernetesConnection): string | undefined {
  const data = config.certificateAuthorityData;
  if (data === undefined) return undefined;
  if (!authorities.has(data)) authorities.set(data, certificateAuthority(data));
  return authorities.get(data);
}
