// A stand-in Kubernetes API server for the dev stack and the tests: no real API server runs here.
// It answers exactly what kubectl calls for get, apply --server-side and delete — legacy
// discovery (/version, /api, /apis, /api/v1, /apis/apps/v1), list, get, server-side apply (PATCH
// application/apply-patch+yaml, which kubectl sends as JSON), delete — for a few resource types,
// kept in memory. Every answer says it is a stand-in. Requests must carry the connection's token.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExampleKubernetes {
  url: string;
  token: string;
  /** Requests received, in order: method and path with query. */
  received: Array<{ method: string; url: string; contentType?: string }>;
  /** Objects held, by `group/resource/namespace/name` (`core` for the core group). */
  objects: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

interface ResourceType {
  group: string;
  version: string;
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
}

const TYPES: ResourceType[] = [
  { group: 'core', version: 'v1', name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true },
  { group: 'core', version: 'v1', name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true },
  { group: 'core', version: 'v1', name: 'secrets', singularName: 'secret', kind: 'Secret', namespaced: true },
  { group: 'core', version: 'v1', name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false },
  { group: 'apps', version: 'v1', name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true },
];
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export async function startExampleKubernetes(options: { secretValue?: string } = {}): Promise<ExampleKubernetes> {
  const token = randomBytes(24).toString('base64url');
  const received: ExampleKubernetes['received'] = [];
  const objects = new Map<string, Record<string, unknown>>();
  let version = 1;
  const put = (type: ResourceType, namespace: string, name: string, object: Record<string, unknown>) => {
    const metadata = { ...(object.metadata as object), name, ...(type.namespaced ? { namespace } : {}), uid: `uid-${name}`, resourceVersion: String(++version), creationTimestamp: '2026-01-01T00:00:00Z' };
    const stored = { ...object, apiVersion: type.group === 'core' ? type.version : `${type.group}/${type.version}`, kind: type.kind, metadata };
    objects.set(`${type.group}/${type.name}/${namespace}/${name}`, stored);
    return stored;
  };
  const byName = (group: string, name: string) => TYPES.find((t) => t.group === group && t.name === name);
  put(byName('core', 'namespaces')!, '', 'default', {});
  put(byName('core', 'pods')!, 'default', 'web-1', { spec: { containers: [{ name: 'web', image: 'nginx' }] }, status: { phase: 'Running' } });
  put(byName('core', 'secrets')!, 'default', 'db-password', { type: 'Opaque', data: { config: Buffer.from(options.secretValue ?? 'correct-horse-battery-staple').toString('base64') } });

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'] });
      res.setHeader('x-portcullis-stand-in', 'kubernetes API server stand-in (not a real API server)');
      if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      try {
        route(req, res, body);
      } catch (error) {
        send(res, 400, status(400, 'BadRequest', (error as Error).message));
      }
    });
  });

  function route(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url!, 'http://stand-in');
    const path = url.pathname.replace(/\/$/, '');
    if (path === '/version') return send(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-stand-in', platform: 'linux/amd64' });
    if (path === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    if (path === '/apis') {
      const groupVersion = { groupVersion: 'apps/v1', version: 'v1' };
      return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [groupVersion], preferredVersion: groupVersion }] });
    }
    const discovery = /^\/(?:api\/(v1)|apis\/(apps)\/(v1))$/.exec(path);
    if (discovery) {
      const group = discovery[2] ?? 'core';
      const resources = TYPES.filter((t) => t.group === group).map((t) => ({ name: t.name, singularName: t.singularName, namespaced: t.namespaced, kind: t.kind, verbs: VERBS }));
      return send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === 'core' ? 'v1' : 'apps/v1', resources });
    }
    const match = /^\/(?:api\/v1|apis\/(apps)\/v1)(?:\/namespaces\/([^/]+)(?=\/))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    const type = match && byName(match[1] ?? 'core', match[3]!);
    if (!match || !type) return send(res, 404, status(404, 'NotFound', `the server could not find the requested resource (${path})`));
    const namespace = match[2] ?? '';
    const name = match[4];
    const key = `${type.group}/${type.name}/${namespace}/${name}`;
    const existing = name ? objects.get(key) : undefined;
    const notFound = () => send(res, 404, { ...status(404, 'NotFound', `${type.name} "${name}" not found`), details: { name, kind: type.name } });
    switch (req.method) {
      case 'GET':
        if (!name) {
          const items = [...objects.entries()].filter(([k]) => k.startsWith(`${type.group}/${type.name}/${namespace ? `${namespace}/` : ''}`)).map(([, o]) => o);
          return send(res, 200, { kind: `${type.kind}List`, apiVersion: type.group === 'core' ? 'v1' : 'apps/v1', metadata: { resourceVersion: String(version) }, items });
        }
        return existing ? send(res, 200, existing) : notFound();
      case 'PATCH': {
        if (!name || !(req.headers['content-type'] ?? '').startsWith('application/apply-patch')) return send(res, 415, status(415, 'UnsupportedMediaType', 'only server-side apply is served by the stand-in'));
        const applied = JSON.parse(body) as Record<string, unknown>;
        return send(res, existing ? 200 : 201, put(type, namespace, name, { ...existing, ...applied }));
      }
      case 'DELETE':
        if (!existing) return notFound();
        objects.delete(key);
        return send(res, 200, existing);
      default:
        return send(res, 405, status(405, 'MethodNotAllowed', `${req.method} is not served by the stand-in`));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    received,
    objects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function send(res: ServerResponse, code: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
