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

export function parseKubernetesPath(method: string, path: string, query: URLSearchParams): KubernetesRequest | { nonResource: string; verb: string } {
  const segments = path.split('/').filter(Boolean);
  let group: string;
  let version: string;
  let rest: string[];
  const nonResourceVerb = method === 'GET' || method === 'HEAD' ? 'get' : method.toLowerCase();
  if (segments[0] === 'api' && segments.length >= 2) {
    [group, version, rest] = ['core', segments[1]!, segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    [group, version, rest] = [segments[1]!, segments[2]!, segments.slice(3)];
  } else {
    return { nonResource: path, verb: nonResourceVerb };
  }
  // A group version's own resource list is discovery.
  if (rest.length === 0) return { nonResource: path, verb: nonResourceVerb };
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = '', ...more] = rest;
  // GET /api/v1/namespaces/x is the namespace x itself.
  const collection = name === '';
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  const verb =
    method === 'GET' || method === 'HEAD' ? (watch ? 'watch' : collection ? 'list' : 'get')
    : method === 'POST' ? 'create'
    : method === 'PUT' ? 'update'
    : method === 'PATCH' ? 'patch'
    : method === 'DELETE' ? (collection ? 'deletecollection' : 'delete')
    : method.toLowerCase();
  return { verb, group, version, resource, subresource: [subresource, ...more].filter(Boolean).join('/'), namespace, name };
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
  const scope = namespace ? `${namespace}/${name || '*'}` : name || '*';
  const flags: string[] = [];
  if (resource === 'secrets') flags.push('secrets');
  if (!namespace && resource !== 'namespaces') flags.push('cluster-wide');
  if (query.getAll('dryRun').includes('All')) flags.push('dry-run');
  if ((request.headers.get('content-type') ?? '').startsWith('application/apply-patch')) flags.push('server-side-apply');
  if (query.get('force') === 'true') flags.push('force');
  if (STREAMING_SUBRESOURCES.has(subresource.split('/')[0]!)) flags.push('streaming');
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
