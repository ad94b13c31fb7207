// A stand-in Kubernetes API server for the dev stack and the tests: no real API server runs here.
// It answers exactly what kubectl calls for get, apply --server-side and delete — legacy
// discovery (/version, /api, /apis, /api/v1, /apis/apps/v1), list, watch, get, server-side apply
// (PATCH application/apply-patch+yaml, which kubectl sends as JSON), delete — for a few resource
// types, kept in memory — in the shapes a real API server answers: list items without kind and
// apiVersion (kubernetes/kubernetes#3030), a Table or PartialObjectMetadataList when Accept asks
// for one, protobuf when Accept prefers it, and exec over a websocket (v5.channel.k8s.io and v4.channel.k8s.io), which runs
// the command on this machine, as the example ssh connection does, with the pod's name as HOSTNAME
// and the secret in DB_PASSWORD. Every answer says it is a stand-in. Requests must carry the
// connection's token (or, for reads, the read token: a read-only service account's).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { issueCertificate } from '../tls.js';

export interface ExampleKubernetes {
  url: string;
  token: string;
  /** A read-only service account's token: get, list and watch only (403 otherwise). */
  readToken: string;
  /** Requests received, in order: method and path with query, and which token they carried. */
  received: Array<{ method: string; url: string; contentType?: string; accept?: string; token?: 'read' | 'write' }>;
  /** Objects held, by `group/resource/namespace/name` (`core` for the core group). */
  objects: Map<string, Record<string, unknown>>;
  /** With `tls`: its self-signed certificate, base64 as kubeconfig's certificate-authority-data. */
  certificateAuthorityData?: string;
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

export interface ExampleKubernetesOptions {
  secretValue?: string;
  /** The exec subprotocols it speaks, preferred first (a server before 1.30 speaks no v5). */
  execProtocols?: string[];
  /** Serve HTTPS with a certificate of its own, as an AKS API server does with its cluster CA. */
  tls?: boolean;
  /** gzip every answer, whatever the client accepts (as a front proxy may). */
  gzip?: boolean;
}

export async function startExampleKubernetes(options: ExampleKubernetesOptions = {}): Promise<ExampleKubernetes> {
  const token = randomBytes(24).toString('base64url');
  const readToken = randomBytes(24).toString('base64url');
  const secretValue = options.secretValue ?? 'correct-horse-battery-staple';
  const execProtocols = options.execProtocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
  const tokenOf = (req: IncomingMessage) => (req.headers.authorization === `Bearer ${token}` ? 'write' : req.headers.authorization === `Bearer ${readToken}` ? 'read' : undefined);
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
  // As the API server writes a pod: every one mounts its service account's token (a projected
  // volume, since Kubernetes 1.22), and this one a Secret too, each named, none holding a value.
  const volumes = [
    {
      name: 'kube-api-access-x7k2p',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        ],
      },
    },
    { name: 'tls', secret: { secretName: 'web-tls', defaultMode: 420 } },
  ];
  const mounts = [{ name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }];
  put(byName('core', 'pods')!, 'default', 'web-1', { spec: { containers: [{ name: 'web', image: 'nginx', volumeMounts: mounts }], volumes }, status: { phase: 'Running' } });
  // Applied with kubectl apply: its last-applied annotation repeats the data.
  const secretData = { config: Buffer.from(secretValue).toString('base64') };
  const applied = JSON.stringify({ apiVersion: 'v1', data: secretData, kind: 'Secret', metadata: { name: 'db-password', namespace: 'default' }, type: 'Opaque' });
  put(byName('core', 'secrets')!, 'default', 'db-password', { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': applied } }, type: 'Opaque', data: secretData });

  const listener: RequestListener = (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const by = tokenOf(req);
      received.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], accept: req.headers.accept, token: by });
      res.setHeader('x-portcullis-stand-in', 'kubernetes API server stand-in (not a real API server)');
      const send = (code: number, value: unknown) => answer(res, code, value, req.headers.accept, options.gzip === true);
      if (!by) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
      if (by === 'read' && req.method !== 'GET') return send(403, status(403, 'Forbidden', `the read-only service account cannot ${req.method} ${req.url}`));
      try {
        route(req, res, body, send);
      } catch (error) {
        send(400, status(400, 'BadRequest', (error as Error).message));
      }
    });
  };
  // HTTPS with a certificate of its own (trusted only by a connection that names it), or plain HTTP.
  const own = options.tls ? issueCertificate({ subject: '127.0.0.1', ips: ['127.0.0.1'], days: 1 }) : undefined;
  const server = own ? createTlsServer({ cert: own.cert, key: own.key }, listener) : createServer(listener);

  function route(req: IncomingMessage, res: ServerResponse, body: string, send: (code: number, value: unknown) => void) {
    const url = new URL(req.url!, 'http://stand-in');
    // The legacy watch path: /api/v1/watch/namespaces/default/secrets is a watch of /api/v1/namespaces/default/secrets.
    const legacyWatch = /^\/(?:api\/v1|apis\/apps\/v1)\/watch\//.test(url.pathname);
    const path = url.pathname.replace(/\/watch\//, '/').replace(/\/$/, '');
    if (path === '/version') return send(200, { major: '1', minor: '30', gitVersion: 'v1.30.0-stand-in', platform: 'linux/amd64' });
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    if (path === '/apis') {
      const groupVersion = { groupVersion: 'apps/v1', version: 'v1' };
      return send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [groupVersion], preferredVersion: groupVersion }] });
    }
    const discovery = /^\/(?:api\/(v1)|apis\/(apps)\/(v1))$/.exec(path);
    if (discovery) {
      const group = discovery[2] ?? 'core';
      const resources = TYPES.filter((t) => t.group === group).map((t) => ({ name: t.name, singularName: t.singularName, namespaced: t.namespaced, kind: t.kind, verbs: VERBS }));
      return send(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === 'core' ? 'v1' : 'apps/v1', resources });
    }
    const match = /^\/(?:api\/v1|apis\/(apps)\/v1)(?:\/namespaces\/([^/]+)(?=\/))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    const type = match && byName(match[1] ?? 'core', match[3]!);
    if (!match || !type) return send(404, status(404, 'NotFound', `the server could not find the requested resource (${path})`));
    const namespace = match[2] ?? '';
    const name = match[4];
    const key = `${type.group}/${type.name}/${namespace}/${name}`;
    const existing = name ? objects.get(key) : undefined;
    const notFound = () => send(404, { ...status(404, 'NotFound', `${type.name} "${name}" not found`), details: { name, kind: type.name } });
    switch (req.method) {
      case 'GET':
        if (!name) {
          const items = [...objects.entries()].filter(([k]) => k.startsWith(`${type.group}/${type.name}/${namespace ? `${namespace}/` : ''}`)).map(([, o]) => o);
          if (legacyWatch || watching(url.searchParams)) return watch(res, items, req.headers.accept, options.gzip === true);
          return send(200, listOf(type, items, req.headers.accept, url.searchParams.get('includeObject'), String(version)));
        }
        return existing ? send(200, existing) : notFound();
      case 'PATCH': {
        if (!name || !(req.headers['content-type'] ?? '').startsWith('application/apply-patch')) return send(415, status(415, 'UnsupportedMediaType', 'only server-side apply is served by the stand-in'));
        const applied = JSON.parse(body) as Record<string, unknown>;
        return send(existing ? 200 : 201, put(type, namespace, name, { ...existing, ...applied }));
      }
      case 'DELETE':
        if (!existing) return notFound();
        objects.delete(key);
        return send(200, existing);
      default:
        return send(405, status(405, 'MethodNotAllowed', `${req.method} is not served by the stand-in`));
    }
  }

  // exec: GET …/pods/{pod}/exec?command=…&container=…&stdin=…, upgraded to a websocket.
  const sockets = new WebSocketServer({ noServer: true, handleProtocols: (offered) => execProtocols.find((p) => offered.has(p)) ?? false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const by = tokenOf(req);
    received.push({ method: req.method!, url: req.url!, token: by });
    const url = new URL(req.url!, 'http://stand-in');
    const refuse = (code: number, reason: string, message: string) => {
      const body = JSON.stringify(status(code, reason, message));
      socket.end(`HTTP/1.1 ${code} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    };
    if (!by) return refuse(401, 'Unauthorized', 'Unauthorized');
    const target = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    if (!target) return refuse(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    if (by === 'read') return refuse(403, 'Forbidden', 'the read-only service account cannot create pods/exec');
    const [, namespace, name] = target as unknown as [string, string, string];
    const pod = objects.get(`core/pods/${namespace}/${name}`) as { spec: { containers: Array<{ name: string }> } } | undefined;
    if (!pod) return refuse(404, 'NotFound', `pods "${name}" not found`);
    const container = url.searchParams.get('container') ?? pod.spec.containers[0]!.name;
    if (!pod.spec.containers.some((c) => c.name === container)) return refuse(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
    const command = url.searchParams.getAll('command');
    if (command.length === 0) return refuse(400, 'BadRequest', 'you must specify at least 1 command');
    sockets.handleUpgrade(req, socket, head, (ws) => runExec(ws, name, command, url.searchParams.get('stdin') === 'true'));
  });

  function runExec(ws: WebSocket, pod: string, command: string[], stdin: boolean) {
    const channel = (n: number, data: Buffer | string = '') => ws.send(Buffer.concat([Buffer.from([n]), Buffer.from(data)]));
    // As the API server does: each channel opens with an empty message.
    for (const n of [1, 2, 3]) channel(n);
    const finish = (value: object) => {
      channel(3, JSON.stringify({ metadata: {}, ...value }));
      ws.close(1000);
    };
    const child = spawn(command[0]!, command.slice(1), {
      cwd: '/tmp',
      env: { PATH: process.env.PATH, HOSTNAME: pod, DB_PASSWORD: secretValue },
      stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => channel(1, chunk));
    child.stderr!.on('data', (chunk: Buffer) => channel(2, chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      finish({ status: 'Failure', reason: 'InternalError', message: `exec: "${command[0]}": ${error.code === 'ENOENT' ? 'executable file not found in $PATH' : error.message}` }),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return finish({ status: 'Success' });
      const exit = code ?? 128 + 9;
      finish({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exit}${signal ? ` (${signal})` : ''}`,
        details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
      });
    });
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0) child.stdin?.write(data.subarray(1));
      // v5: the client closed a channel; stdin's end is the command's end of input.
      else if (data[0] === 255 && data[1] === 0) child.stdin?.end();
    });
    // The client went away: the command stops, as the kubelet stops it.
    ws.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${own ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ...(own && { certificateAuthorityData: Buffer.from(own.cert).toString('base64') }),
    token,
    readToken,
    received,
    objects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets.clients) ws.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** As the API server reads `watch` (and every boolean parameter): absent, 0 or false (any case) is false. */
const watching = (query: URLSearchParams) => query.has('watch') && !['0', 'false'].includes(query.get('watch')!.toLowerCase());

/** The first media range Accept names (type and parameters), lower case; JSON when it names none. */
function preferred(accept: string | undefined): { type: string; as?: string } {
  const [type = 'application/json', ...params] = (accept || 'application/json').split(',')[0]!.split(';').map((p) => p.trim().toLowerCase());
  return { type, as: params.find((p) => p.startsWith('as='))?.slice(3) };
}

/**
 * A list as the API server answers it: a <Kind>List whose items carry no kind or apiVersion; a
 * Table (rows of cells, each with its object as PartialObjectMetadata unless includeObject says
 * Object or None), or a PartialObjectMetadataList, when Accept asks for one.
 */
function listOf(type: ResourceType, objects: Array<Record<string, unknown>>, accept: string | undefined, includeObject: string | null, resourceVersion: string) {
  const metadataOf = (o: Record<string, unknown>) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata });
  const bare = objects.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
  const as = preferred(accept).as;
  if (as === 'table') {
    const object = (o: Record<string, unknown>) => (includeObject === 'None' ? {} : { object: includeObject === 'Object' ? o : metadataOf(o) });
    const rows = objects.map((o) => ({ cells: [(o.metadata as { name: string }).name], ...object(o) }));
    return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion }, columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 }], rows };
  }
  if (as === 'partialobjectmetadatalist') return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion }, items: bare.map((o) => ({ metadata: o.metadata })) };
  return { kind: `${type.kind}List`, apiVersion: type.group === 'core' ? 'v1' : `${type.group}/${type.version}`, metadata: { resourceVersion }, items: bare };
}

/** A watch: an ADDED event for each object (events carry kind and apiVersion), then the end — a real server keeps it open. */
function watch(res: ServerResponse, objects: Array<Record<string, unknown>>, accept: string | undefined, gzip: boolean): void {
  const events = objects.map((object) => JSON.stringify({ type: 'ADDED', object }) + '\n').join('');
  const protobuf = preferred(accept).type === PROTOBUF;
  const body = protobuf ? asProtobuf(objects) : Buffer.from(events);
  res.writeHead(200, { 'content-type': protobuf ? `${PROTOBUF};stream=watch` : 'application/json', ...(gzip && { 'content-encoding': 'gzip' }) });
  res.end(gzip ? gzipSync(body) : body);
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * Protobuf stood in for: its `k8s\0` magic and the objects with a Secret's values as raw bytes,
 * as protobuf holds them (no base64). Enough for a test to see whether it would pass.
 */
function asProtobuf(value: unknown): Buffer {
  const raw = JSON.stringify(value, (key, v: unknown) => (key === 'data' && v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, b64]) => [k, Buffer.from(String(b64), 'base64').toString()])) : v));
  return Buffer.concat([Buffer.from('k8s\0'), Buffer.from(raw)]);
}

/** An answer in the type Accept prefers (JSON, or protobuf), gzipped when asked. */
function answer(res: ServerResponse, code: number, value: unknown, accept: string | undefined, gzip: boolean): void {
  const protobuf = preferred(accept).type === PROTOBUF;
  const plain = protobuf ? asProtobuf(value) : Buffer.from(JSON.stringify(value));
  const body = gzip ? gzipSync(plain) : plain;
  res.writeHead(code, { 'content-type': protobuf ? PROTOBUF : 'application/json', 'content-length': body.byteLength, ...(gzip && { 'content-encoding': 'gzip' }) });
  res.end(body);
}
