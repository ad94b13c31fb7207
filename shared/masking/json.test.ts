import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker, InspectionBudget, maskSliced, SLICE } from './index.js';
import { ALNUM, randomFrom, secretSamples } from '../../test/support/masking.js';

const masker = createMasker();
const token = () => secretSamples()['github-token']!();

describe('JSON mode (auto)', () => {
  it('masks inside string values and keeps everything else byte for byte', () => {
    const value = token();
    const body = `{\n  "id": 12345678901234567890,\n  "ratio": 1.50,\n  "note": "uses ${value}",\n  "ok": true\n}`;
    const out = masker.auto(body);
    assert.equal(out.text, body.replace(value, '[MASKED:github-token]'));
    assert.deepEqual(out.findings.map((f) => f.location), ['$.note:5']);
  });

  it('masks values under sensitive keys whatever they hold, numbers included', () => {
    const body = JSON.stringify({ user: 'bob', password: 'x', db: { connectionString: 'Server=a' }, pin: 1, dbPassword: 1234, nextPageToken: 'abc', max_tokens: 10, $skipToken: 'ew0K', skip_token: 'ew0K' });
    const out = JSON.parse(masker.auto(body).text) as Record<string, unknown>;
    assert.deepEqual(out, {
      user: 'bob', password: '[MASKED:sensitive-key]', db: { connectionString: '[MASKED:sensitive-key]' }, pin: 1,
      dbPassword: '[MASKED:sensitive-key]', nextPageToken: 'abc', max_tokens: 10, $skipToken: 'ew0K', skip_token: 'ew0K',
    });
  });

  it("masks a Key Vault secret's value, as the REST API and az keyvault secret show return it; a list of secrets and other values are left", () => {
    const secret = `Summer-${Math.random().toString(36).slice(2)}`;
    const id = 'https://kv-acme.vault.azure.net/secrets/db-password/4387e9f3d6e14c459867679a90fd0f79';
    const rest = JSON.stringify({ value: secret, id, attributes: { enabled: true, recoveryLevel: 'Recoverable' } });
    const cli = JSON.stringify({ attributes: { enabled: true }, contentType: null, id, name: 'db-password', tags: {}, value: secret }, null, 2);
    for (const body of [rest, cli]) {
      const asText = masker.auto(body);
      const asValue = masker.json(JSON.parse(body));
      for (const [text, findings] of [[asText.text, asText.findings], [JSON.stringify(asValue.value), asValue.findings]] as const) {
        assert.ok(!text.includes(secret), text);
        assert.deepEqual(findings.map((f) => [f.rule, f.location]), [['sensitive-key', '$.value']]);
      }
    }
    const list = JSON.stringify({ value: [{ id: 'https://kv-acme.vault.azure.net/secrets/db-password', attributes: { enabled: true } }], nextLink: null });
    assert.equal(masker.auto(list).text, list);
    const other = JSON.stringify({ id: 'https://acme.io/settings/theme', value: 'dark' });
    assert.equal(masker.auto(other).text, other);
    assert.deepEqual(masker.json(JSON.parse(other)).value, JSON.parse(other));
  });

  it('masks the value of a name/value pair whose name is sensitive: app settings, container env, App Configuration', () => {
    const secret = `Summer-${Math.random().toString(36).slice(2)}`;
    const bodies = [
      JSON.stringify([{ name: 'DB_PASSWORD', slotSetting: false, value: secret }, { name: 'WEBSITE_RUN_FROM_PACKAGE', slotSetting: false, value: '1' }]),
      JSON.stringify({ spec: { containers: [{ env: [{ name: 'API_TOKEN', value: secret }, { name: 'LOG_LEVEL', value: 'debug' }] }] } }),
      JSON.stringify([{ key: 'Db:Password', label: null, value: secret }, { key: 'Theme', value: 'dark' }]),
    ];
    for (const body of bodies) {
      const asText = masker.auto(body);
      const asValue = JSON.stringify(masker.json(JSON.parse(body)).value);
      for (const out of [asText.text, asValue]) {
        assert.ok(!out.includes(secret), out);
        assert.ok(out.includes('"1"') || out.includes('"debug"') || out.includes('"dark"'), `the other pair is left: ${out}`);
      }
      assert.deepEqual(asText.findings.map((f) => f.rule), ['sensitive-key']);
    }
    // Functions' key collections are sensitive whatever their keys are called.
    const keys = JSON.stringify({ functionKeys: { default: `${secret}==` }, systemKeys: {} });
    assert.ok(!masker.auto(keys).text.includes(secret));
  });

  it('takes a numbered key for its name: password2, DB_PASSWORD_2, client-secret-3; sha256 and v2 are no names', () => {
    const secret = `Summer-${Math.random().toString(36).slice(2)}`;
    // az acr credential show: the registry's two passwords, as name/value pairs.
    const pairs = JSON.stringify({ passwords: [{ name: 'password', value: secret }, { name: 'password2', value: secret }], username: 'acme' });
    for (const out of [masker.auto(pairs).text, JSON.stringify(masker.json(JSON.parse(pairs)).value), masker.text(`log ${pairs}`).text]) {
      assert.ok(!out.includes(secret), out);
    }
    // Members, in JSON and as quoted members in a log line.
    const members = JSON.stringify({ settings: { DB_PASSWORD_2: secret, 'client-secret-3': secret, token1: secret } });
    for (const out of [masker.auto(members).text, JSON.stringify(masker.json(JSON.parse(members)).value), masker.text(`log ${members}`).text]) {
      assert.ok(!out.includes(secret), out);
    }
    const plain = JSON.stringify({ sha256: 'abc', v2: 'on', page2: 'next', key1: 'value' });
    assert.equal(masker.auto(plain).text, plain);
  });

  it("leaves what a sensitive key's own value says is none (a stand-in, a type, a variable), masks any other value, and masks stand-ins under a sensitive container", () => {
    const standIns = ['', 'YOUR_API_KEY', 'your-token-here', '...', '<password>', '${DB_PASSWORD}', '$DB_PASSWORD', '{{ .Values.password }}', 'string', 'write', 'changeme', 'DUMMY', 'replace_me'];
    for (const value of standIns) {
      for (const key of ['password', 'api_key', 'id-token', 'client_secret']) {
        const body = JSON.stringify({ [key]: value, user: 'bob' });
        assert.equal(masker.auto(body).text, body);
        assert.deepEqual(masker.json(JSON.parse(body)).value, JSON.parse(body));
        assert.equal(masker.text(`sent ${body}`).text, `sent ${body}`);
      }
      const contained = JSON.stringify({ password: { data: value, note: 'x' } });
      assert.ok(!masker.auto(contained).text.includes(`"data":"${value}"`), masker.auto(contained).text);
      assert.ok(!JSON.stringify(masker.json(JSON.parse(contained)).value).includes(`"data":"${value}"`));
    }
    for (const value of ['x', 'p', 'admin', 'hunter2', 'Summer2024!', 'correct horse battery staple']) {
      const body = JSON.stringify({ password: value });
      assert.equal(masker.auto(body).text, '{"password":"[MASKED:sensitive-key]"}');
      assert.deepEqual(masker.json(JSON.parse(body)).value, { password: '[MASKED:sensitive-key]' });
    }
  });

  it('reads JSON after a byte order mark or an anti-XSSI guard, escapes decoded, and writes the guard back', async () => {
    const token = 'ghp_' + randomFrom(ALNUM, 36);
    const escaped = JSON.stringify({ t: token, password: 'hunter22' }).replace('ghp_', '\\u0067hp_');
    for (const guard of ['\uFEFF', ")]}'\n", ")]}',\n", 'while(1);', 'for(;;);']) {
      for (const type of [undefined, 'application/json']) {
        const out = masker.auto(guard + escaped, type);
        assert.ok(out.text.startsWith(guard) && !out.text.includes(token.slice(4)) && !out.text.includes('hunter22'), out.text);
      }
      const large = guard + JSON.stringify({ pad: 'x'.repeat(2 * SLICE), t: token }).replace('ghp_', '\\u0067hp_');
      const sliced = await maskSliced(masker, large, 'application/json', new InspectionBudget(60_000));
      assert.ok(sliced.text.startsWith(guard) && !sliced.text.includes(token.slice(4)));
    }
  });

  it('judges an escaped key by its decoded name, whatever its last raw character', () => {
    const body = '{"passwor\\u0064":"x","Pass\\u0057ord ":1,"next\\u0050ageToken":"c"}';
    const out = JSON.parse(masker.auto(body).text) as Record<string, unknown>;
    assert.deepEqual(out, { password: '[MASKED:sensitive-key]', 'PassWord ': '[MASKED:sensitive-key]', nextPageToken: 'c' });
  });

  it('masks every leaf under a sensitive key that holds an object or array', () => {
    const out = JSON.parse(masker.auto(JSON.stringify({ credentials: { user: 'u', pass: ['p', 2, null] } })).text);
    assert.deepEqual(out, { credentials: { user: '[MASKED:sensitive-key]', pass: ['[MASKED:sensitive-key]', '[MASKED:sensitive-key]', null] } });
  });

  it("keeps a schema's and a template parameter's words under a sensitive key, and masks the values it holds, as text and as parsed values", () => {
    const schema = {
      tools: [{ name: 'login', inputSchema: { type: 'object', properties: { password: { type: 'string', description: 'The password', minLength: 8, default: 'hunter2-default' }, apiKey: { type: ['string', 'null'], examples: ['sk-example-1'] } }, required: ['password'] } }],
    };
    const template = { parameters: { adminPassword: { type: 'SecureString', defaultValue: 'Xk9mQ2vL!', metadata: { description: 'The admin password' } } } };
    const masked = (value: unknown) => [JSON.parse(masker.auto(JSON.stringify(value)).text), masker.json(value).value];
    for (const out of masked(schema)) {
      assert.deepEqual(out, {
        tools: [{ name: 'login', inputSchema: { type: 'object', properties: { password: { type: 'string', description: 'The password', minLength: 8, default: '[MASKED:sensitive-key]' }, apiKey: { type: ['string', 'null'], examples: ['[MASKED:sensitive-key]'] } }, required: ['password'] } }],
      });
    }
    for (const out of masked(template)) {
      assert.deepEqual(out, { parameters: { adminPassword: { type: 'SecureString', defaultValue: '[MASKED:sensitive-key]', metadata: { description: 'The admin password' } } } });
    }
    // An OpenAPI document's security schemes (Swagger 2's petstore names one api_key).
    const openapi = {
      securityDefinitions: { api_key: { type: 'apiKey', name: 'api_key', in: 'header' } },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
    };
    for (const out of masked(openapi)) assert.deepEqual(out, openapi);
    // A member of any other name, a type that is no type name, or an escaped key: a value, masked whole.
    for (const value of [{ password: { type: 'string', data: 'c2VjcmV0' } }, { token: { type: 'Bearer', value: 'abc' } }]) {
      for (const out of masked(value)) assert.ok(!JSON.stringify(out).includes('string') && !JSON.stringify(out).includes('Bearer'), JSON.stringify(out));
    }
    assert.equal(masker.auto('{"password": {"\\u0074ype": "string"}}').text, '{"password": {"\\u0074ype": "[MASKED:sensitive-key]"}}');
  });

  it("keeps a Kubernetes object's structure under sensitive keys (a pod's secret volume, its token projection), masking values whose own key is sensitive", () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: {
        volumes: [
          { name: 'kube-api-access-x7k2p', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } },
          { name: 'tls', secret: { secretName: 'web-tls', defaultMode: 420 } },
        ],
        containers: [{ name: 'web', env: [{ name: 'DB_PASSWORD', value: 'hunter2-x' }, { name: 'MODE', value: 'x' }] }],
      },
    };
    const maskedPod = structuredClone(pod);
    maskedPod.spec.containers[0]!.env[0]!.value = '[MASKED:sensitive-key]';
    const list = { kind: 'ConfigMapList', items: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { password: 'hunter2-x', token: { a: 1 } } }] };
    const maskedList = { kind: 'ConfigMapList', items: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { password: '[MASKED:sensitive-key]', token: { a: 1 } } }] };
    for (const [value, expected] of [[pod, maskedPod], [list, maskedList]] as const) {
      assert.deepEqual(JSON.parse(masker.auto(JSON.stringify(value)).text), expected);
      assert.deepEqual(masker.json(value).value, expected);
    }
    // A schema in a Kubernetes object (a CRD's) masks what it declares as values, as anywhere.
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: { properties: { password: { type: 'string', default: 'hunter2-x' } } } };
    const maskedCrd = { ...crd, spec: { properties: { password: { type: 'string', default: '[MASKED:sensitive-key]' } } } };
    assert.deepEqual(JSON.parse(masker.auto(JSON.stringify(crd)).text), maskedCrd);
    assert.deepEqual(masker.json(crd).value, maskedCrd);
    // Any other document: what a sensitive key holds is masked whole, as before.
    const other = { metadata: {}, kind: 'Pod', secret: { secretName: 'web-tls' } };
    assert.deepEqual(JSON.parse(masker.auto(JSON.stringify(other)).text).secret, { secretName: '[MASKED:sensitive-key]' });
    assert.deepEqual((masker.json(other).value as typeof other).secret, { secretName: '[MASKED:sensitive-key]' });
  });

  it('extends or replaces the sensitive key list', () => {
    const body = JSON.stringify({ password: 'a', ssh: 'b' });
    assert.deepEqual(JSON.parse(createMasker({ sensitiveKeys: { names: ['ssh'] } }).auto(body).text), { password: '[MASKED:sensitive-key]', ssh: '[MASKED:sensitive-key]' });
    assert.deepEqual(JSON.parse(createMasker({ sensitiveKeys: { mode: 'replace', names: ['ssh'] } }).auto(body).text), { password: 'a', ssh: '[MASKED:sensitive-key]' });
  });

  it('masks JSON nested inside strings (tool-call arguments) and keeps both levels valid', () => {
    const value = token();
    const args = JSON.stringify({ repo: 'x', apiKey: 'k', note: value });
    const body = JSON.stringify({ choices: [{ message: { tool_calls: [{ function: { name: 'f', arguments: args } }] } }] });
    const out = masker.auto(body);
    const parsed = JSON.parse(out.text);
    const inner = JSON.parse(parsed.choices[0].message.tool_calls[0].function.arguments);
    assert.deepEqual(inner, { repo: 'x', apiKey: '[MASKED:sensitive-key]', note: '[MASKED:github-token]' });
    assert.deepEqual(out.findings.map((f) => f.location), [
      '$.choices[0].message.tool_calls[0].function.arguments.apiKey',
      '$.choices[0].message.tool_calls[0].function.arguments.note:0',
    ]);
  });

  it('decodes escaped strings before detecting, so escapes cannot hide a secret', () => {
    const value = token();
    const escaped = value.replace('g', '\\u0067');
    const body = `{"a":"${escaped}","b":"line\\nnext ${value}"}`;
    const out = masker.auto(body);
    assert.deepEqual(JSON.parse(out.text), { a: '[MASKED:github-token]', b: 'line\nnext [MASKED:github-token]' });
  });

  it('masks secrets inside keys and card numbers given as numbers', () => {
    const value = token();
    const out = JSON.parse(masker.auto(`{"${value}": 1, "card": 4111111111111111}`).text);
    assert.deepEqual(out, { '[MASKED:github-token]': 1, card: '[MASKED:pii-card]' });
  });

  it('names findings in and under a masked key by the key as masked, never by the secret', () => {
    const [key, inner, escaped] = [token(), token(), token()];
    const body = `{"${key}": {"note": "${inner}", "list": [{"a": "${inner}"}]}, "x": {"${escaped.replace('g', '\\u0067')}": "${inner}"}}`;
    const locations = [
      '$["[MASKED:github-token]"]:0', '$["[MASKED:github-token]"].note:0', '$["[MASKED:github-token]"].list[0].a:0',
      '$.x["[MASKED:github-token]"]:0', '$.x["[MASKED:github-token]"]:0',
    ];
    const out = masker.auto(body);
    assert.deepEqual(out.findings.map((f) => f.location), locations);
    const viaValue = masker.json(JSON.parse(body));
    assert.deepEqual(viaValue.findings.map((f) => f.location), locations);
    for (const secret of [key, inner, escaped]) assert.ok(!JSON.stringify([out.findings, viaValue.findings]).includes(secret));
  });

  it('falls back to text mode for what is not JSON, and uses JSON mode for a JSON content type', () => {
    const value = token();
    assert.equal(masker.auto(`{"a": ${value}`).text, '{"a": [MASKED:github-token]');
    assert.equal(masker.auto(`plain ${value}`).text, 'plain [MASKED:github-token]');
    assert.equal(masker.auto(` 42 `, 'application/json').text, ' 42 ');
    assert.equal(masker.auto(JSON.stringify({ password: 'p' }), 'application/vnd.api+json').text, '{"password":"[MASKED:sensitive-key]"}');
  });

  it('walks deep nesting without running out of stack', () => {
    const depth = 100000;
    const body = '['.repeat(depth) + JSON.stringify({ password: 'p' }) + ']'.repeat(depth);
    const out = masker.auto(body);
    assert.ok(out.text.includes('[MASKED:sensitive-key]'));
    assert.equal(out.text.length, body.length + '[MASKED:sensitive-key]'.length - 1);
  });

  it('names a finding by its first 64 levels and "…" below them, so deep bodies do not make long locations', () => {
    const at = (depth: number) => masker.auto('{"a":'.repeat(depth) + '{"password":"p"}' + '}'.repeat(depth)).findings.map((f) => f.location);
    assert.deepEqual(at(63), [`$${'.a'.repeat(63)}.password`]);
    assert.deepEqual(at(64), [`$${'.a'.repeat(64)}…`]);
    assert.deepEqual(at(5000), [`$${'.a'.repeat(64)}…`]);
    const nested = masker.auto('{"password":' + '{"v":"x","items":'.repeat(20000) + '1' + '}'.repeat(20001));
    assert.equal(nested.findings.length, 20001);
    assert.ok(nested.findings.every((f) => f.location.length <= '$.password'.length + 64 * '.items'.length + 1));
  });
});

describe('masked keys stay distinct: a parser keeps only the last of two equal keys', () => {
  const a = token();
  const b = token();
  const c = token();

  it('over JSON text, escaped keys and keys masked in part too, in each object apart', () => {
    const body = JSON.stringify({ [a]: 1, [b]: 2, [`id-${c}`]: 3, [`id-${a}`]: 4, nested: { [c]: { [b]: 5 } } }).replace(`"${b}"`, `"\\u0067${b.slice(1)}"`);
    const out = masker.auto(body);
    const parsed = JSON.parse(out.text) as Record<string, unknown>;
    assert.deepEqual(parsed, {
      '[MASKED:github-token]': 1, '[MASKED:github-token]#2': 2, 'id-[MASKED:github-token]': 3, 'id-[MASKED:github-token]#2': 4,
      nested: { '[MASKED:github-token]': { '[MASKED:github-token]': 5 } },
    });
    for (const secret of [a, b, c]) assert.ok(!out.text.includes(secret.slice(4)));
    assert.equal(new Set(out.findings.map((f) => f.location)).size, out.findings.length);
  });

  it('over JSON text, apart from a key already named as a masked one would be, before or after it', () => {
    for (const body of [JSON.stringify({ '[MASKED:github-token]': 1, [a]: 2 }), JSON.stringify({ [a]: 1, '[MASKED:github-token]': 2, '[MASKED:github-token]#2': 3 })]) {
      const out = masker.auto(body).text;
      const keys = [...out.matchAll(/"(\[MASKED:[^"]*)":/g)].map((m) => m[1]);
      assert.equal(new Set(keys).size, keys.length, out);
      assert.equal(Object.keys(JSON.parse(out) as object).length, Object.keys(JSON.parse(body) as object).length, out);
    }
  });

  it('a Kubernetes Secret\'s data keys are masked as any key is, over parsed values as over JSON text', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { [a]: 'eA==', [b]: 'eQ==' } };
    const parsed = masker.json(structuredClone(secret)).value;
    assert.deepEqual(parsed, JSON.parse(masker.auto(JSON.stringify(secret)).text));
    assert.deepEqual(Object.keys((parsed as { data: object }).data), ['[MASKED:github-token]', '[MASKED:github-token]#2']);
  });

  it('over parsed values, also apart from a key already named as a masked one would be', () => {
    const out = masker.json({ [a]: 1, [b]: 2, '[MASKED:github-token]': 3, '[MASKED:github-token]#2': 4 });
    assert.deepEqual(out.value, { '[MASKED:github-token]#3': 1, '[MASKED:github-token]#4': 2, '[MASKED:github-token]': 3, '[MASKED:github-token]#2': 4 });
  });
});

describe('JSON mode over parsed values (json)', () => {
  it('returns a value of the same shape and leaves the input unchanged', () => {
    const value = token();
    const input = { a: [1, 'x', { password: 'p', note: `has ${value}` }], b: null, c: false };
    const copy = structuredClone(input);
    const out = masker.json(input);
    assert.deepEqual(input, copy);
    assert.deepEqual(out.value, { a: [1, 'x', { password: '[MASKED:sensitive-key]', note: 'has [MASKED:github-token]' }], b: null, c: false });
    assert.deepEqual(out.findings.map((f) => f.location), ['$.a[2].password', '$.a[2].note:4']);
  });

  it('starts paths at the given root and survives cycles and deep values', () => {
    const cyclic: Record<string, unknown> = { secret: 's' };
    cyclic.self = cyclic;
    const out = masker.json(cyclic, '$.body');
    assert.deepEqual(out.value, { secret: '[MASKED:sensitive-key]', self: '[MASKED:unreadable]' });
    assert.equal(out.findings[0]!.location, '$.body.secret');
    const nest = (levels: number) => {
      let deep: unknown = { password: 'the-value' };
      for (let i = 0; i < levels; i++) deep = [deep];
      return deep;
    };
    assert.ok(JSON.stringify(masker.json(nest(2000)).value).includes('[MASKED:sensitive-key]'));
    // Deeper than the platform's JSON.stringify reaches: replaced, never passed through.
    assert.ok(!JSON.stringify(masker.json(nest(100000)).value).includes('the-value'));
  });
});
