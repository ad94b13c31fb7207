// Secrets through a kubernetes connection, over HTTP as any client asks, from the stand-in API
// server answering in a real one's shapes: list items without kind, Tables of PartialObjectMetadata,
// PartialObjectMetadataList, watch streams, protobuf when asked, gzip. None of them may carry a
// Secret's value or its last-applied annotation; a deny on core/secrets/watch holds for every
// spelling of a watch.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startExampleKubernetes, type ExampleKubernetes } from '../../../cli/dev/example/kubernetes.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';

const POLICY = `${DEV_ISSUER_POLICY}
connections:
  cluster: { kind: kubernetes, upstream: "\${K8S_URL}", credential: { env: K8S_TOKEN }, groups: [agents] }
  gzipped: { kind: kubernetes, upstream: "\${K8S_GZIP_URL}", credential: { env: K8S_GZIP_TOKEN }, groups: [agents] }
  guarded: { kind: kubernetes, upstream: "\${K8S_URL}", credential: { env: K8S_TOKEN }, groups: [agents] }
rules:
  - name: no-secret-watches
    match: { connections: guarded, actions: core/secrets/watch }
    action: deny
  - name: reads
    match: { actions: ["*/get", "*/list", "*/watch"] }
    action: allow
`;

const secretValue = `s3cr3t-${randomBytes(12).toString('hex')}`;
const base64 = Buffer.from(secretValue).toString('base64');
let api: ExampleKubernetes;
let gzipApi: ExampleKubernetes;
let stack: TestStack;
let token: string;

before(async () => {
  api = await startExampleKubernetes({ secretValue });
  gzipApi = await startExampleKubernetes({ secretValue, gzip: true });
  try {
    stack = await startTestStack({ policy: POLICY, env: { K8S_URL: api.url, K8S_TOKEN: api.token, K8S_GZIP_URL: gzipApi.url, K8S_GZIP_TOKEN: gzipApi.token } });
    token = await stack.token('agent-s', ['agents']);
  } catch (error) {
    await api.close();
    await gzipApi.close();
    throw error;
  }
});

after(async () => {
  await stack?.stop();
  await api?.close();
  await gzipApi?.close();
});

async function get(path: string, accept?: string, connection = 'cluster'): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${stack.url}/api/proxy/${connection}${path}`, { headers: { authorization: `Bearer ${token}`, ...(accept && { accept }) } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** Neither the value, its base64, nor its bytes in any other spelling the answer could hold. */
function assertNoSecret(text: string, what: string) {
  assert.ok(!text.includes(secretValue) && !text.includes(base64), `${what}: the secret leaked: ${text.slice(0, 400)}`);
}

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

describe('kubernetes: Secrets in every shape an API server answers', () => {
  it('masks a SecretList whose items carry no kind (a real API server\'s list), namespaced, cluster-wide and selected', async () => {
    for (const path of [
      '/api/v1/namespaces/default/secrets',
      '/api/v1/secrets',
      '/api/v1/namespaces/default/secrets?labelSelector=app%3Ddb',
      '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Ddb-password',
      '/api/v1/namespaces/default/secrets/',
    ]) {
      const res = await get(path);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assertNoSecret(res.text, path);
      const list = JSON.parse(res.text) as { kind: string; items: Array<Record<string, any>> };
      assert.equal(list.kind, 'SecretList');
      assert.equal(list.items[0]!.kind, undefined, 'the stand-in answers list items without kind, as a real API server does');
      assert.equal(list.items[0]!.data.config, '[MASKED:kubernetes-secret]');
      assert.equal(list.items[0]!.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '[MASKED:kubernetes-secret]');
    }
  });

  it('masks the Secrets of a Table (PartialObjectMetadata rows, or whole objects) and of a PartialObjectMetadataList', async () => {
    const metadataRows = await get('/api/v1/namespaces/default/secrets', TABLE);
    assertNoSecret(metadataRows.text, 'Table');
    const table = JSON.parse(metadataRows.text) as { kind: string; rows: Array<{ object: Record<string, any> }> };
    assert.equal(table.kind, 'Table');
    assert.equal(table.rows[0]!.object.kind, 'PartialObjectMetadata');
    assert.equal(table.rows[0]!.object.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '[MASKED:kubernetes-secret]');
    const objectRows = await get('/api/v1/namespaces/default/secrets?includeObject=Object', TABLE);
    assertNoSecret(objectRows.text, 'Table with includeObject=Object');
    assert.equal(JSON.parse(objectRows.text).rows[0].object.data.config, '[MASKED:kubernetes-secret]');
    const partial = await get('/api/v1/secrets', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    assert.equal(JSON.parse(partial.text).kind, 'PartialObjectMetadataList');
    assertNoSecret(partial.text, 'PartialObjectMetadataList');
  });

  it('masks watch streams event by event, however the watch is spelled', async () => {
    for (const path of [
      '/api/v1/namespaces/default/secrets?watch=true',
      '/api/v1/namespaces/default/secrets?watch=1&resourceVersion=0',
      '/api/v1/namespaces/default/secrets?watch=True',
      '/api/v1/namespaces/default/secrets?watch=t',
      '/api/v1/watch/namespaces/default/secrets',
      '/api/v1/watch/secrets',
    ]) {
      const res = await get(path);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assertNoSecret(res.text, path);
      const event = JSON.parse(res.text.split('\n')[0]!) as { type: string; object: Record<string, any> };
      assert.equal(event.type, 'ADDED', path);
      assert.equal(event.object.data.config, '[MASKED:kubernetes-secret]', path);
    }
  });

  it('denies every spelling of a secrets watch under a core/secrets/watch deny', async () => {
    for (const path of ['/api/v1/namespaces/default/secrets?watch=True', '/api/v1/namespaces/default/secrets?watch=', '/api/v1/watch/namespaces/default/secrets', '/api/v1/watch/secrets']) {
      const res = await get(path, undefined, 'guarded');
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.equal(JSON.parse(res.text).rule, 'no-secret-watches', path);
    }
    assert.equal((await get('/api/v1/namespaces/default/secrets?watch=false', undefined, 'guarded')).status, 200);
  });

  it('asks the API server for JSON alone: protobuf, YAML and CBOR are never asked for, and answers come back JSON, masked', async () => {
    for (const [accept, path] of [
      [`${PROTOBUF}, */*`, '/api/v1/namespaces/default/secrets'],
      [PROTOBUF, '/api/v1/namespaces/default/secrets/db-password'],
      [`${PROTOBUF};as=Table;v=v1;g=meta.k8s.io,${PROTOBUF}`, '/api/v1/namespaces/default/secrets'],
      [`${PROTOBUF};stream=watch`, '/api/v1/namespaces/default/secrets?watch=1'],
      ['application/yaml', '/api/v1/namespaces/default/secrets'],
      ['application/cbor', '/api/v1/namespaces/default/secrets'],
    ] as const) {
      const before = api.received.length;
      const res = await get(path, accept);
      assert.equal(res.status, 200, `${accept}: ${res.text}`);
      assertNoSecret(res.text, accept);
      assert.ok(res.text.includes('[MASKED:kubernetes-secret]'), accept);
      const sent = api.received.slice(before).map((r) => r.accept ?? '');
      assert.ok(sent.length > 0 && sent.every((a) => !/protobuf|yaml|cbor/.test(a)), `${accept} went upstream as ${sent.join(' | ')}`);
    }
  });

  it('masks an answer the API server gzipped', async () => {
    const list = await get('/api/v1/namespaces/default/secrets', undefined, 'gzipped');
    assert.equal(list.status, 200, list.text);
    assertNoSecret(list.text, 'gzipped list');
    assert.equal(JSON.parse(list.text).items[0].data.config, '[MASKED:kubernetes-secret]');
    const watch = await get('/api/v1/namespaces/default/secrets?watch=1', undefined, 'gzipped');
    assert.equal(watch.status, 200, watch.text);
    assertNoSecret(watch.text, 'gzipped watch');
  });
});
