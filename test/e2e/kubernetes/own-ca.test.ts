// An API server whose certificate its cluster signed (AKS): a kubernetes connection trusts the
// authority it names in certificateAuthorityData (kubeconfig's field, base64 of PEM) for proxied
// requests and for exec's websocket; a connection that names none checks against the system's
// authorities and is refused; a value that is not base64 PEM certificates fails the policy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startExampleKubernetes, type ExampleKubernetes } from '../../../cli/dev/example/kubernetes.js';
import { loadPolicy } from '../../../shared/policy/load.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';

const connections = (ca: string) => `connections:
  trusted:
    kind: kubernetes
    upstream: \${K8S_URL}
    credential: { env: K8S_TOKEN }
    certificateAuthorityData: ${ca}
    groups: [agents]
  untrusted:
    kind: kubernetes
    upstream: \${K8S_URL}
    credential: { env: K8S_TOKEN }
    groups: [agents]
`;
const RULES = `rules:
  - name: reads
    match: { actions: ["*/get", "*/list"] }
    action: allow
  - name: look-around
    match: { actions: core/pods/exec/create, command: { program: echo } }
    action: allow
`;

let api: ExampleKubernetes;
let stack: TestStack;
let token: string;

before(async () => {
  api = await startExampleKubernetes({ tls: true });
  try {
    stack = await startTestStack({ policy: `${DEV_ISSUER_POLICY}${connections(api.certificateAuthorityData!)}${RULES}`, env: { K8S_URL: api.url, K8S_TOKEN: api.token } });
    token = await stack.token('agent-ca', ['agents']);
  } catch (error) {
    await api.close();
    throw error;
  }
});

after(async () => {
  await stack?.stop();
  await api?.close();
});

const get = (connection: string) => fetch(`${stack.url}/api/proxy/${connection}/api/v1/namespaces/default/pods`, { headers: { authorization: `Bearer ${token}` } });

describe('a kubernetes API server with its own certificate authority', () => {
  it('is reached through a connection that names the authority', async () => {
    const res = await get('trusted');
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(JSON.parse(text).kind, 'PodList');
  });

  it('runs exec over the websocket with the same authority', async () => {
    const res = await fetch(`${stack.url}/api/exec/trusted`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'default', pod: 'web-1', command: ['echo', 'hello'] }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(JSON.parse(text).stdout, 'hello\n');
  });

  it('is refused (502) through a connection that names none: the system does not trust it', async () => {
    const before = api.received.length;
    const res = await get('untrusted');
    assert.equal(res.status, 502, await res.text());
    assert.equal(api.received.length, before, 'nothing was sent to a server the gateway could not authenticate');
  });

  it('fails the policy when the value is not base64 of PEM certificates', () => {
    for (const bad of ['not base64 at all', Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----').toString('base64'), Buffer.from('hello').toString('base64')]) {
      const loaded = loadPolicy(`${DEV_ISSUER_POLICY.replaceAll('${PORTCULLIS_DEV_ISSUER}', 'https://issuer.example')}${connections(JSON.stringify(bad)).replaceAll('${K8S_URL}', 'https://k8s.example').replaceAll('{ env: K8S_TOKEN }', '{ env: T }')}${RULES}`, { env: 'development', variables: { T: 'x' } });
      assert.equal(loaded.ok, false, bad);
      if (!loaded.ok) assert.ok(loaded.problems.some((p) => p.path.includes('certificateAuthorityData') && /certificate-authority-data/.test(p.message)), JSON.stringify(loaded.problems));
    }
  });
});
