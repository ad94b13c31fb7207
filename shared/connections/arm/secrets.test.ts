import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { secretSamples } from '../../../test/support/masking.js';
import { armMasker } from './secrets.js';

const masker = createMasker();
const key = () => randomBytes(64).toString('base64');
const noLink = () => undefined;

describe('arm secrets: secret-bearing answers (strict)', () => {
  const strict = armMasker(masker, { strict: true, link: noLink });

  it('masks storage keys[].value and keeps the key names and permissions', () => {
    const [k1, k2] = [key(), key()];
    const body = JSON.stringify({ keys: [{ creationTime: '2025-01-01T00:00:00Z', keyName: 'key1', value: k1, permissions: 'FULL' }, { keyName: 'key2', value: k2, permissions: 'FULL' }] });
    const masked = strict.auto(body, 'application/json');
    assert.ok(!masked.text.includes(k1) && !masked.text.includes(k2));
    assert.deepEqual(JSON.parse(masked.text), {
      keys: [
        { creationTime: '2025-01-01T00:00:00Z', keyName: 'key1', value: '[MASKED:arm-secret]', permissions: 'FULL' },
        { keyName: 'key2', value: '[MASKED:arm-secret]', permissions: 'FULL' },
      ],
    });
    assert.deepEqual(masked.findings.map((f) => [f.rule, f.location, f.length]), [
      ['arm-secret', '$.keys[0].value', k1.length],
      ['arm-secret', '$.keys[1].value', k2.length],
    ]);
    assert.ok(masked.findings.every((f) => /^[0-9a-f]{8}$/.test(f.hash)));
  });

  it('masks any unknown field of a secret-bearing answer, whatever its shape', () => {
    const password = randomBytes(9).toString('hex');
    const body = { username: 'registry1', passwords: [{ name: 'password', value: password }], kubeconfigs: [{ name: 'clusterAdmin', value: key() }], scmUri: `https://$app:${password}@app.scm.azurewebsites.net` };
    const text = strict.auto(JSON.stringify(body)).text;
    assert.ok(!text.includes(password));
    const out = JSON.parse(text);
    assert.equal(out.username, 'registry1');
    assert.equal(out.passwords[0].name, 'password');
    assert.equal(out.kubeconfigs[0].value, '[MASKED:arm-secret]');
    assert.equal(out.scmUri, '[MASKED:arm-secret]');
  });

  it('masks a body that is not JSON whole, and a streamed one without emitting any of it', () => {
    const secret = key();
    const masked = strict.auto(`key=${secret}`);
    assert.equal(masked.text, '[MASKED:arm-secret]');
    assert.equal(masked.findings.length, 1);
    const stream = strict.stream();
    assert.equal(stream.push(`{"keys":[{"value":"${secret.slice(0, 20)}`), '');
    assert.equal(stream.push(`${secret.slice(20)}"}]}`), '');
    assert.equal(stream.end(), '[MASKED:arm-secret]');
    assert.equal(stream.findings.length, 1);
  });
});

describe('arm secrets: every answer', () => {
  const lenient = armMasker(masker, { strict: false, link: noLink });

  it('masks ARM key fields the generic masker does not know, and leaves the rest readable', () => {
    const [primary, secondary, readonly] = [key(), key(), key()];
    const body = { name: 'cosmos1', properties: { primaryKey: primary, secondaryKey: secondary, primaryReadonlyMasterKey: readonly, documentEndpoint: 'https://cosmos1.documents.azure.com/' } };
    const out = JSON.parse(lenient.auto(JSON.stringify(body)).text);
    assert.equal(out.properties.primaryKey, '[MASKED:arm-secret]');
    assert.equal(out.properties.secondaryKey, '[MASKED:arm-secret]');
    // A master key's name is sensitive to the generic masker too, which masks it first.
    assert.match(out.properties.primaryReadonlyMasterKey, /^\[MASKED:(arm-secret|sensitive-key)\]$/);
    assert.equal(out.properties.documentEndpoint, 'https://cosmos1.documents.azure.com/');
    assert.equal(out.name, 'cosmos1');
  });

  it('keeps a storage account readable, key creation times included', () => {
    const account = { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a', properties: { keyCreationTime: { key1: '2025-01-01T00:00:00Z' }, primaryEndpoints: { blob: 'https://a.blob.core.windows.net/' } } };
    const masked = lenient.auto(JSON.stringify(account));
    assert.deepEqual(JSON.parse(masked.text), account);
    assert.deepEqual(masked.findings, []);
  });

  it('still applies the policy masker (detectors and sensitive keys)', () => {
    const token = secretSamples()['github-token']!();
    const out = JSON.parse(lenient.auto(JSON.stringify({ properties: { note: `token ${token}`, connectionString: 'Server=x;Password=y' } })).text);
    assert.equal(out.properties.note, 'token [MASKED:github-token]');
    assert.equal(out.properties.connectionString, '[MASKED:sensitive-key]');
  });

  it('points a list\'s nextLink back at the gateway', () => {
    const link = (url: string) => (url.startsWith('https://management.azure.com/') ? url.replace('https://management.azure.com', 'https://gw/api/proxy/arm') : undefined);
    const page = { value: [], nextLink: 'https://management.azure.com/subscriptions/s/providers/Microsoft.Storage/storageAccounts?api-version=1&$skipToken=2' };
    const out = JSON.parse(armMasker(masker, { strict: false, link }).auto(JSON.stringify(page)).text);
    assert.equal(out.nextLink, 'https://gw/api/proxy/arm/subscriptions/s/providers/Microsoft.Storage/storageAccounts?api-version=1&$skipToken=2');
  });
});

describe('arm secrets: deployment outputs and parameters', () => {
  const lenient = armMasker(masker, { strict: false, link: noLink });
  const deployment = (outputs: unknown, parameters: unknown = {}) => ({
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Resources/deployments/d1',
    name: 'd1',
    properties: { provisioningState: 'Succeeded', parameters, outputs, outputResources: [{ id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a' }] },
  });

  it('masks every string of every output, a bare 88-character account key included, and keeps names, types, numbers and booleans', () => {
    const storageKey = key();
    assert.equal(storageKey.length, 88);
    const outputs = {
      storageKey: { type: 'String', value: storageKey },
      hostName: { type: 'String', value: 'a.blob.core.windows.net' },
      settings: { type: 'Object', value: { name: 'shared', nested: [storageKey.slice(0, 44), 7] } },
      keys: { type: 'Array', value: [storageKey] },
      replicas: { type: 'Int', value: 3 },
      enabled: { type: 'Bool', value: true },
    };
    const masked = lenient.auto(JSON.stringify(deployment(outputs)));
    assert.ok(!masked.text.includes(storageKey.slice(0, 44)), 'the key leaked');
    const out = JSON.parse(masked.text).properties;
    assert.deepEqual(out.outputs, {
      storageKey: { type: 'String', value: '[MASKED:arm-secret]' },
      hostName: { type: 'String', value: '[MASKED:arm-secret]' },
      settings: { type: 'Object', value: { name: '[MASKED:arm-secret]', nested: ['[MASKED:arm-secret]', 7] } },
      keys: { type: 'Array', value: ['[MASKED:arm-secret]'] },
      replicas: { type: 'Int', value: 3 },
      enabled: { type: 'Bool', value: true },
    });
    assert.equal(out.outputResources[0].id, '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a');
    assert.ok(masked.findings.some((f) => f.rule === 'arm-secret' && f.location === '$.properties.outputs.storageKey.value' && f.length === 88));
    assert.ok(masked.findings.every((f) => !JSON.stringify(f).includes(storageKey.slice(0, 12))));
  });

  it('masks outputs in a list of deployments, in outputs shaped otherwise, and a secure output whole', () => {
    const secret = key();
    const list = { value: [deployment({ k: { type: 'SecureString', value: secret }, pin: { type: 'secureObject', value: { pin: 1234 } }, odd: { type: secret, value: 1 } })] };
    const out = JSON.parse(lenient.auto(JSON.stringify(list)).text).value[0].properties.outputs;
    assert.deepEqual(out, {
      k: { type: 'SecureString', value: '[MASKED:arm-secret]' },
      pin: { type: 'secureObject', value: { pin: '[MASKED:arm-secret]' } },
      odd: { type: '[MASKED:arm-secret]', value: 1 },
    });
    const script = { properties: { outputs: { text: secret, list: [secret], n: 1 } } };
    assert.deepEqual(JSON.parse(lenient.auto(JSON.stringify(script)).text).properties.outputs, { text: '[MASKED:arm-secret]', list: ['[MASKED:arm-secret]'], n: 1 });
  });

  it('masks secure parameters and parameters named as secrets, and leaves the others to the policy masker', () => {
    const [password, secret] = [randomBytes(12).toString('hex'), key()];
    const parameters = {
      adminPassword: { type: 'String', value: password },
      vmKey: { type: 'SecureString', value: secret },
      location: { type: 'String', value: 'westeurope' },
      kv: { type: 'SecureString', reference: { keyVault: { id: '/subscriptions/s/…/vaults/v' }, secretName: 'sql' } },
    };
    const text = lenient.auto(JSON.stringify(deployment({}, parameters))).text;
    assert.ok(!text.includes(password) && !text.includes(secret));
    const out = JSON.parse(text).properties.parameters;
    assert.match(out.adminPassword.value, /^\[MASKED:/);
    assert.deepEqual(out.vmKey, { type: 'SecureString', value: '[MASKED:arm-secret]' });
    assert.deepEqual(out.location, { type: 'String', value: 'westeurope' });
    assert.equal(out.kv.reference.secretName, '[MASKED:arm-secret]');
  });

  it('masks a deployment answer whole when it is not JSON or too large to hold', () => {
    const outputsMasker = armMasker(masker, { strict: false, outputs: true, link: noLink });
    const secret = key();
    assert.equal(outputsMasker.auto(`{"properties":{"outputs":{"k":{"value":"${secret}"}}`).text, '[MASKED:arm-secret]');
    const stream = outputsMasker.stream();
    assert.equal(stream.push(`{"properties":{"outputs":{"k":{"value":"${secret}"}}}}`), '');
    assert.equal(stream.end(), '[MASKED:arm-secret]');
  });
});
