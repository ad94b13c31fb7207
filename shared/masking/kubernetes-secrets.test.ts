// A Kubernetes Secret printed by kubectl (YAML or JSON) through any connection: its values are
// masked whole whatever they hold; a ConfigMap's are not; whole, streamed or parsed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { randomFrom } from '../../test/support/masking.js';

const masker = createMasker();
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Values a Secret holds that no other rule finds: a PIN, a URL, a word, a short password. */
function values() {
  return { pin: b64(randomFrom('0123456789', 4)), url: b64(`https://api.internal/${randomFrom(ALNUM, 6)}`), user: b64('admin'), pass: b64(randomFrom(ALNUM, 6)) };
}

function secretYaml(v: ReturnType<typeof values>, indent = '') {
  return [
    'apiVersion: v1',
    'data:',
    `  api-url: ${v.url}`,
    `  pin: ${v.pin}`,
    `  password: ${v.pass}`,
    `  username: ${v.user}`,
    'kind: Secret',
    'metadata:',
    '  annotations:',
    '    kubectl.kubernetes.io/last-applied-configuration: |',
    `      {"apiVersion":"v1","data":{"pin":"${v.pin}"},"kind":"Secret","metadata":{"name":"app"}}`,
    '  name: app',
    '  namespace: prod',
    'type: Opaque',
  ].map((line, i) => (i === 0 && indent ? indent.replace(/ {2}$/, '- ') : indent) + line).join('\n');
}

const leaked = (out: string, v: ReturnType<typeof values>) => Object.values(v).filter((x) => out.includes(x));

describe('Kubernetes Secrets in text', () => {
  it('masks every value of a Secret as kubectl prints it (YAML), its data before its kind', () => {
    const v = values();
    const out = masker.text(secretYaml(v));
    assert.deepEqual(leaked(out.text, v), [], out.text);
    assert.match(out.text, /^ {2}pin: \[MASKED:kubernetes-secret\]$/m);
    assert.match(out.text, /^ {2}name: app$/m);
    assert.match(out.text, /^type: Opaque$/m);
    // A value another rule also finds may be named by it; the rest are the Secret's.
    assert.ok(out.findings.filter((f) => f.rule === 'kubernetes-secret').length >= 3, JSON.stringify(out.findings));
  });

  it('masks each Secret of a list, and leaves a ConfigMap beside it', () => {
    const v = values();
    const w = values();
    const configMap = ['- apiVersion: v1', '  data:', `    pin: ${w.pin}`, `    url: ${w.url}`, '  kind: ConfigMap', '  metadata:', '    name: settings'].join('\n');
    const text = ['apiVersion: v1', 'items:', secretYaml(v, '  '), configMap, 'kind: List'].join('\n');
    const out = masker.text(text).text;
    assert.deepEqual(leaked(out, v), [], out);
    assert.ok(out.includes(configMap), out);
  });

  it('masks stringData, block scalars included, in a manifest that names its kind first', () => {
    const secret = randomFrom(ALNUM, 10);
    const text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  db-host: db.internal\n  config.yaml: |\n    host: db\n    code: ${secret}\ntype: Opaque\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  host: db.internal\n`;
    const out = masker.text(text).text;
    assert.ok(!out.includes(secret) && !out.includes('db-host: db.internal'), out);
    assert.ok(out.endsWith('kind: ConfigMap\ndata:\n  host: db.internal\n'), out);
  });

  it('masks the same in a stream, wherever the text is split', () => {
    const v = values();
    const text = `${secretYaml(v)}\n---\n${secretYaml(values())}\n`;
    const whole = masker.text(text).text;
    for (let cut = 1; cut < text.length; cut++) {
      const stream = masker.stream();
      assert.equal(stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end(), whole, `split at ${cut}`);
    }
  });

  it('masks a Secret and a SecretList printed as JSON, whole or parsed, and names each value', () => {
    const v = values();
    const secret = { apiVersion: 'v1', data: { pin: v.pin, url: v.url }, kind: 'Secret', metadata: { name: 'app', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { pin: v.pin } }) } }, type: 'Opaque' };
    const configMap = { apiVersion: 'v1', data: { pin: '1234' }, kind: 'ConfigMap', metadata: { name: 'settings' } };
    const list = { apiVersion: 'v1', items: [secret, configMap], kind: 'List' };
    for (const out of [masker.auto(JSON.stringify(list, null, 2)), (() => { const r = masker.json(list); return { text: JSON.stringify(r.value), findings: r.findings }; })()]) {
      assert.deepEqual(leaked(out.text, v), [], out.text);
      const parsed = JSON.parse(out.text) as typeof list;
      assert.equal(parsed.items[0]!.metadata.name, 'app');
      assert.deepEqual(parsed.items[1], configMap);
      assert.ok(out.findings.some((f) => f.rule === 'kubernetes-secret' && f.location === '$.items[0].data.pin'), JSON.stringify(out.findings.map((f) => f.location)));
    }
  });

  it('masks the items of a SecretList as the API server writes it: kind first, items without kind', () => {
    const v = values();
    const item = { metadata: { name: 'app', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { pin: v.pin } }) } }, data: { pin: v.pin, url: v.url, user: v.user, pass: v.pass }, type: 'Opaque' };
    const list = { kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [item] };
    for (const out of [masker.auto(JSON.stringify(list)), (() => { const r = masker.json(list); return { text: JSON.stringify(r.value), findings: r.findings }; })()]) {
      assert.deepEqual(leaked(out.text, v), [], out.text);
      assert.equal((JSON.parse(out.text) as typeof list).items[0]!.metadata.name, 'app');
      assert.ok(out.findings.some((f) => f.rule === 'kubernetes-secret' && f.location === '$.items[0].data.pin'), JSON.stringify(out.findings.map((f) => f.location)));
    }
    // A ConfigMapList's items are not Secrets.
    const configMaps = { kind: 'ConfigMapList', apiVersion: 'v1', items: [{ metadata: { name: 'settings' }, data: { pin: '1234' } }] };
    assert.equal(masker.auto(JSON.stringify(configMaps)).text, JSON.stringify(configMaps));
    assert.deepEqual(masker.json(configMaps).value, configMaps);
  });

  it("is the policy's to switch off, and counted as a rule", () => {
    const v = values();
    const off = createMasker({ disabled: ['kubernetes-secret'] });
    assert.ok(off.text(secretYaml(v)).text.includes(v.pin));
    assert.ok(JSON.stringify(off.json({ kind: 'Secret', data: { pin: v.pin } }).value).includes(v.pin));
    assert.equal(off.ruleCount, masker.ruleCount - 1);
  });
});
