// A Kubernetes API request in RBAC terms: verb, API group, resource, subresource, namespace and
// name, the way the API server's own authorizer sees it. Actions are `<group>/<resource>[/<sub>]/<verb>`
// with `core` for the core group (`core/pods/get`, `apps/deployments/delete`, `core/pods/exec/create`);
// resources are `<namespace>/<name>` (`*` for a collection or all namespaces), `<name>` when
// cluster-scoped; non-resource paths (/version, /healthz) are `nonresource/<verb>` on the path, and
// discovery (/api, /apis, /openapi) is `discovery/get`.
import { bodyText } from '../body-text.js';
import { headerRecord } from '../headers.js';
import type { AgentRequest } from '../kind.js';
import type { Operation } from '../operation.js';
import { analyzeShell } from '../shell-command.js';
import { commandText, execPath, readPodExec } from './exec-request.js';
import type { KubernetesConnection } from './schema.js';

export interface KubernetesRequest {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** Subresources that need a websocket or SPDY upgrade, which Functions HTTP cannot carry. */
export const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** Verbs a path names before the resource (`/api/v1/watch/…`, the legacy `/api/v1/proxy/…`); a proxy's path after the name is the target's, not a subresource. */
const PATH_VERBS = new Set(['watch', 'proxy']);
/** Subresources of a namespace itself: `/api/v1/namespaces/prod/finalize` is the namespace prod's. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * A boolean query parameter as the API server reads it (Convert_Slice_string_To_bool): absent,
 * `0` or `false` (any case) is false, anything else — `True`, `t`, `yes`, an empty value — true.
 * Only the first value counts.
 */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * The API server's own reading of a request (k8s.io/apiserver's RequestInfoFactory): `/api/{version}`
 * (core) or `/apis/{group}/{version}`, then a verb in the path (`watch`, `proxy`), then
 * `namespaces/{namespace}` unless that namespace's own status or finalize follows, then
 * resource, name and subresource; what follows the subresource is the subresource's own path.
 */
export function parseKubernetesPath(method: string, path: string, query: URLSearchParams): KubernetesRequest | { nonResource: string; verb: string } {
  // target.ts refused empty segments, dot segments and encoded slashes; the API server reads names decoded.
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const nonResourceVerb = method === 'GET' || method === 'HEAD' ? 'get' : method.toLowerCase();
  const core = segments[0] === 'api';
  // /api/v1 and /apis/apps/v1 list their group version's resources: discovery.
  if ((!core && segments[0] !== 'apis') || segments.length < (core ? 3 : 4)) return { nonResource: path, verb: nonResourceVerb };
  const [group, version] = core ? ['core', segments[1]!] : [segments[1]!, segments[2]!];
  let rest = segments.slice(core ? 2 : 3);
  let pathVerb = '';
  if (PATH_VERBS.has(rest[0]!)) {
    // The API server refuses a bare /api/v1/watch; nothing is read.
    if (rest.length < 2) return { nonResource: path, verb: nonResourceVerb };
    pathVerb = rest[0]!;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = rest;
  const collection = name === '';
  const verb =
    pathVerb ? pathVerb
    : method === 'GET' || method === 'HEAD' ? (!collection ? 'get' : queryFlag(query, 'watch') ? 'watch' : 'list')
    : method === 'POST' ? 'create'
    : method === 'PUT' ? 'update'
    : method === 'PATCH' ? 'patch'
    : method === 'DELETE' ? (collection ? 'deletecollection' : 'delete')
    : method.toLowerCase();
  return { verb, group, version, resource, subresource: verb === 'proxy' ? '' : subresource, namespace, name };
}

export function classifyKubernetes(request: AgentRequest, connection: KubernetesConnection): Operation {
  // No target: a command posted to /api/exec/{connection}.
  if (!request.target) return classifyPodExec(request, connection);
  const target = request.target;
  const query = new URLSearchParams(target.search);
  const parsed = parseKubernetesPath(request.method, target.path, query);
  const base = {
    kind: 'kubernetes',
    method: request.method,
    path: target.path,
    query: target.search.replace(/^\?/, ''),
    headers: headerRecord(request.headers),
    text: bodyText(request.body.bytes),
  };
  if ('nonResource' in parsed) {
    const discovery = /^\/(api|apis|openapi)(\/|$)/.test(target.path);
    const action = discovery ? `discovery/${parsed.verb}` : `nonresource/${parsed.verb}`;
    return { ...base, actions: [action], resources: [target.path], flags: [], summary: `${action} ${target.path}`, details: { verb: parsed.verb } };
  }
  const { verb, group, resource, subresource, namespace, name } = parsed;
  const action = [group, resource, subresource, verb].filter(Boolean).join('/');
  // A namespace is cluster-scoped: the API server names it as its own namespace too.
  const namespaced = namespace !== '' && resource !== 'namespaces';
  const scope = namespaced ? `${namespace}/${name || '*'}` : name || '*';
  const flags: string[] = [];
  if (resource === 'secrets') flags.push('secrets');
  if (!namespace && resource !== 'namespaces') flags.push('cluster-wide');
  if (query.getAll('dryRun').includes('All')) flags.push('dry-run');
  if ((request.headers.get('content-type') ?? '').startsWith('application/apply-patch')) flags.push('server-side-apply');
  if (queryFlag(query, 'force')) flags.push('force');
  if (verb === 'proxy' || STREAMING_SUBRESOURCES.has(subresource)) flags.push('streaming');
  return {
    ...base,
    actions: [action],
    resources: [scope],
    flags,
    summary: `kubernetes ${action} ${scope}${flags.length ? ` (${flags.join(', ')})` : ''}`,
    details: { verb, group, version: parsed.version, resource, subresource, namespace, name },
  };
}

/**
 * A command run in a container: `core/pods/exec/create` on `namespace/pod`, as RBAC sees it, with
 * the command parsed like an ssh command (its programs for `command` rules, its risk flags).
 */
function classifyPodExec(request: AgentRequest, connection: KubernetesConnection): Operation {
  const exec = readPodExec(request);
  const text = commandText(exec);
  const analysis = analyzeShell(text, exec.stdin);
  const action = 'core/pods/exec/create';
  const resource = `${exec.namespace}/${exec.pod}`;
  const programs = [...new Set(analysis.commands.map((c) => c.program.slice(c.program.lastIndexOf('/') + 1)))];
  const flags = analysis.flags.length > 0 ? ` (${analysis.flags.join(', ')})` : '';
  return {
    kind: 'kubernetes',
    method: 'EXEC',
    path: execPath(exec),
    query: '',
    headers: headerRecord(request.headers),
    text,
    actions: [action],
    resources: [resource],
    flags: analysis.flags,
    commands: analysis.commands,
    summary: `kubernetes ${action} ${resource}${exec.container ? ` (${exec.container})` : ''}: ${programs.slice(0, 5).join(', ') || '(no program)'}${programs.length > 5 ? ` and ${programs.length - 5} more` : ''}${flags}`,
    details: {
      verb: 'create',
      group: 'core',
      resource: 'pods',
      subresource: 'exec',
      namespace: exec.namespace,
      name: exec.pod,
      container: exec.container ?? null,
      timeoutSeconds: Math.min(exec.timeoutSeconds ?? connection.execTimeoutSeconds, connection.execTimeoutSeconds),
      stdinBytes: exec.stdin === undefined ? 0 : Buffer.byteLength(exec.stdin),
    },
  };
}
