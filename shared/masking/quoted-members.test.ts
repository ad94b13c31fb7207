// Sensitive keys in text: quoted members ("password": "…", 'token': '…') masked as JSON mode
// masks them, in text that is not one JSON document, whole or streamed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { LOWER, randomFrom } from '../../test/support/masking.js';

const masker = createMasker();
// Words, as people choose passwords: no other rule takes them for a secret.
const secret = () => `summer-${randomFrom(LOWER, 8)}`;

describe('quoted members in text', () => {
  it('masks the value of a sensitive key in JSON inside a log line, a Python dict, a JSON fragment', () => {
    for (const make of [
      (s: string) => `2026-12-06T10:00:00Z INFO login body={"user":"bob","password":"${s}"}`,
      (s: string) => `args {'api_key': '${s}', 'retries': 3}`,
      (s: string) => `  "clientSecret" :  "${s}",\n  "tenant": "acme"`,
      (s: string) => `{"db": {"connection_string": "${s}"}, "trailing": ,}`,
    ]) {
      const value = secret();
      const out = masker.text(make(value));
      assert.ok(!out.text.includes(value), out.text);
      assert.deepEqual(out.findings.map((f) => f.rule), ['sensitive-key']);
    }
  });

  it('reads escapes inside the value, and leaves other keys, paging cursors, templates and empty values', () => {
    const value = secret();
    assert.equal(masker.text(`{"password": "a\\"${value}"}`).text, '{"password": "[MASKED:sensitive-key]"}');
    for (const text of [
      '{"user": "bob", "nextPageToken": "abc123", "pageToken": "def"}',
      '{"password": "${DB_PASSWORD}", "token": "{{ token }}", "secret": "<your secret>", "apiKey": "", "pwd": "$PGPASSWORD", "passwd": "&lt;password&gt;"}',
      'print("password: %s" % masked) and "token" is a word',
      '{"/en/authentication/creating-a-strong-password": "/en/enterprise-server@3.0/auth", "token_url": "https://login.acme.io/token"}',
    ]) assert.equal(masker.text(text).text, text);
  });

  it("masks a member's whole value when another rule finds a secret inside it (the two joined)", () => {
    const value = secret();
    const out = masker.text(`log {"connectionString": "Server=db;User ID=app;Password=${value};Encrypt=true"} done`);
    assert.equal(out.text, 'log {"connectionString": "[MASKED:sensitive-key]"} done');
  });

  it('masks a value cut off at the end of its line or of the text, as a truncated log line has it', () => {
    const value = secret();
    assert.equal(masker.text(`INFO body={"password":"${value}\nnext line`).text, 'INFO body={"password":"[MASKED:sensitive-key]\nnext line');
    assert.equal(masker.text(`INFO body={"password":"${value}`).text, 'INFO body={"password":"[MASKED:sensitive-key]');
  });

  it("follows the policy's sensitive keys: its own names, and none when the rule is off", () => {
    const value = secret();
    const text = `{"pin_code": "${value}", "password": "${value}"}x`;
    const custom = createMasker({ sensitiveKeys: { mode: 'replace', names: ['pinCode'] } });
    assert.equal(custom.text(text).text, `{"pin_code": "[MASKED:sensitive-key]", "password": "${value}"}x`);
    assert.equal(createMasker({ disabled: ['sensitive-key'] }).text(text).text, text);
  });

  it('finds each sensitive value once in JSON mode, as before', () => {
    const out = masker.auto(JSON.stringify({ user: 'bob', password: secret(), nested: { token: secret() } }));
    assert.deepEqual(out.findings.map((f) => [f.rule, f.location]), [['sensitive-key', '$.password'], ['sensitive-key', '$.nested.token']]);
  });

  it("masks the value of a name/value pair whose name is sensitive, as JSON mode does: app settings, container env, ACR's passwords", () => {
    for (const make of [
      (s: string) => `settings=[{"name":"DB_PASSWORD","slotSetting":false,"value":"${s}"},{"name":"WEBSITE_RUN_FROM_PACKAGE","value":"1"}]`,
      (s: string) => `env [{'name': 'API_TOKEN', 'value': '${s}'}, {'name': 'LOG_LEVEL', 'value': 'debug'}]`,
      (s: string) => `acr {"passwords": [{"name": "password2", "value": "${s}"}]}`,
      (s: string) => `appconfig {"key": "Db:Password", "label": null, "value": "${s}"}`,
    ]) {
      const value = secret();
      const out = masker.text(make(value));
      assert.ok(!out.text.includes(value), out.text);
      assert.ok(out.text.includes('"1"') || out.text.includes("'debug'") || !out.text.includes('LOG_LEVEL'), out.text);
      assert.deepEqual(out.findings.map((f) => f.rule), ['sensitive-key']);
    }
    // A pair named otherwise, and a sensitive name in a nested object of another pair, are left.
    for (const text of ['log {"name": "queue", "value": "orders"}', 'log {"name": "x", "meta": {"name": "y"}, "value": "keep"}', 'note: "value": "plain"']) {
      assert.equal(masker.text(text).text, text);
    }
  });

  it('masks the same in a stream, wherever the text is split', () => {
    const value = secret();
    const text = `INFO body={"user":"bob","password":"${value}"} and {'token': '${value}'} {"DB_PASSWORD_2": "${value}"} [{"name": "API_KEY", "value": "${value}"}]\ncut {"secret": "${value}`;
    const whole = masker.text(text).text;
    assert.ok(!whole.includes(value), whole);
    for (let cut = 1; cut < text.length; cut++) {
      const stream = masker.stream();
      const out = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
      assert.equal(out, whole, `split at ${cut}`);
    }
  });
});
