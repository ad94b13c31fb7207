// Every built-in rule runs in time linear in the input, on the inputs that stress a regex: its
// keywords repeated, separators without values, unterminated quotes, long runs of a value class
// (test/support/masking.ts), from 256 KB to 1 MB. Time is compared, never bounded (superLinear).
// The gitleaks pack: linearity-gitleaks.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from './engine.js';
import { createMasker } from './masker.js';
import { NdjsonMasker } from './ndjson.js';
import { SseMasker } from './sse.js';
import { SseParser } from './sse-events.js';
import type { RegexRule, ScanRule } from './rule.js';
import { piiRules } from './rules/pii.js';
import { secretRules } from './rules/secrets.js';
import { adversarialInputs, piiAdversarialInputs, superLinear } from '../../test/support/masking.js';

const SIZE = 1 << 18;
const pii = piiRules({ email: true, phone: true, card: true, iban: true, ssn: true, ip: true });

function regexRuleIsLinear(rule: RegexRule) {
  const engine = new Engine([rule], []);
  assert.deepEqual(superLinear((t) => engine.detect(t), (size) => adversarialInputs(rule.keywords, size), SIZE), []);
}

function scanRuleIsLinear(rule: ScanRule) {
  const engine = new Engine([], [rule]);
  assert.deepEqual(superLinear((t) => engine.detect(t), piiAdversarialInputs, SIZE), []);
}

describe('every built-in secret rule runs in linear time', () => {
  for (const rule of secretRules) it(rule.id, () => regexRuleIsLinear(rule));
});

describe('every PII scanner runs in linear time', () => {
  for (const rule of pii) it(`${rule.id} (${rule.gates.join(' | ')})`, () => scanRuleIsLinear(rule));
});

describe('JSON mode and the sensitive-key rule run in linear time', () => {
  const masker = createMasker({ pii: { email: true, phone: true, card: true, iban: true, ssn: true, ip: true } });
  const keys = ['password', 'pwd', 'secret', 'token', 'api_key', 'authorization', 'key'];
  const repeat = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const shapes = (size: number) => [
    { shape: 'open members', text: '{' + repeat(keys.map((k) => `"${k}": "`).join(''), size) },
    { shape: 'members without values', text: '{' + repeat(keys.map((k) => `"${k}":`).join(''), size) },
    { shape: 'escaped quotes', text: '{"a": "' + repeat('\\"password\\": \\"', size) },
    { shape: 'nested arrays', text: repeat('[', size) },
    { shape: 'nested objects', text: repeat('{"password":', size) },
    // Each object under a sensitive key reads ahead for a declaration (declarations.ts).
    { shape: 'nested declarations', text: '{"password":' + repeat('{"type":"string","items":', size) },
    { shape: 'nested values', text: '{"password":' + repeat('{"type":"string","a":[', size) },
    { shape: 'string of keywords', text: '{"a": "' + repeat('pwd=password=', size) + '"}' },
    { shape: 'long members', text: '{' + repeat(keys.map((k) => `"${k}": "pwd=pwd=pwd=pwd=", `).join(''), size) + '"z": 1}' },
  ];
  it('auto() on JSON-shaped adversarial bodies', () => {
    assert.deepEqual(superLinear((t) => masker.auto(t, 'application/json'), shapes, SIZE), []);
  });
  it('text() on the issue repros (pwd= and password= repeated) and assignments without an end', () => {
    const repros = (size: number) => [
      { shape: 'pwd=', text: repeat('pwd=', size) },
      { shape: 'password=', text: repeat('password=', size) },
      { shape: 'SELECT repeat', text: `SELECT repeat('${repeat('pwd=', size)}', 16000)` },
      // Assignments (assignments.ts): flags, runs, lines, elements and pairs without an end.
      { shape: '--a', text: repeat('--a', size) },
      { shape: 'token=$', text: repeat('token=$', size) },
      { shape: 'password: x', text: repeat('password: x ', size) },
      { shape: '<password>', text: repeat('<password>', size) },
      { shape: 'XML pairs', text: repeat('key="DbPassword" value="', size) },
      { shape: 'aligned', text: repeat('password    ', size) },
      { shape: 'call pairs', text: repeat("define('DB_PASSWORD', '", size) },
      { shape: 'list flags', text: repeat('["--password", ', size) },
      { shape: 'YAML list flags', text: repeat('- --password\n', size) },
      { shape: 'YAML block of blank lines', text: 'password: |\n' + repeat('  \n', size) },
      { shape: 'YAML block headers', text: repeat('password: |\n ', size) },
      { shape: 'listed', text: repeat(', password: ', size) },
      { shape: 'single-dash flags', text: repeat(' -password', size) },
      { shape: 'Secret kinds on one line', text: repeat('kind: Secret ', size) },
      { shape: 'Secret kinds, deeper each line', text: Array.from({ length: size / 16 }, (_, i) => ' '.repeat(i % 100) + 'kind: Secret\n').join('') },
      { shape: 'data keys', text: 'apiVersion: v1\n' + repeat('data:\n', size) },
      { shape: 'Secret list items', text: repeat('- kind: Secret\n  data:\n    a: b\n', size) },
      { shape: 'keys before quotes', text: repeat('password "', size) },
      // Go's and Bicep's types after the key; Terraform's blocks, never closed, nested, defaults without an end.
      { shape: 'keys before a type', text: repeat('password string = ', size) },
      { shape: 'quoted keys before braces', text: repeat('"password" {', size) },
      { shape: 'variable blocks', text: repeat('variable "db_password" {\n  type = string\n', size) },
      { shape: 'blocks in a quote', text: repeat('"password" { description = "{', size) },
      // PostgreSQL's password file (pgpass.ts): ports on one long line, entries without an end.
      { shape: 'pgpass ports', text: repeat('a:1:', size) },
      { shape: 'pgpass fields', text: repeat('h:1:d:u:', size) },
      { shape: 'pgpass lines', text: repeat('h:1:d:u:p\n', size) },
      { shape: 'listed without a setting before', text: repeat('/ password:\t' + 'x'.repeat(40), size) },
    ];
    assert.deepEqual(superLinear((t) => masker.text(t), repros, SIZE), []);
  });
});

describe('escapes read decoded (decoded-view.ts) in linear time', () => {
  const masker = createMasker();
  const repeat = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const shapes = (size: number) => [
    { shape: 'percent-encoded base64', text: repeat('%2B', size) },
    { shape: 'escaped tokens', text: repeat('\\u0067hp_', size) },
    { shape: 'escaped slashes', text: repeat('\\/', size) },
    { shape: 'backslashes, nothing decoded', text: repeat('\\"password\\": \\"', size) },
    { shape: 'percent signs, nothing decoded', text: repeat('100% ', size) },
  ];
  it('text() on texts dense with escapes', () => {
    assert.deepEqual(superLinear((t) => masker.text(t), shapes, SIZE), []);
  });
});

describe('line-framed streams hold a long line in linear time, however small its pieces', () => {
  // An event or line is held until it ends; pushed in 64-character pieces, each push once split
  // the whole held line again (1 MB of SSE took 15 s). Lines stay under MAX_SSE_LINE.
  const masker = createMasker();
  const pieces = (text: string) => Array.from({ length: Math.ceil(text.length / 64) }, (_, i) => text.slice(i * 64, (i + 1) * 64));
  const line = (size: number) => [{ shape: 'one long line', text: 'data: {"choices":[{"delta":{"content":"' + 'a b '.repeat(size / 4) + '"}}]}\n\n' }];
  const ndjson = (size: number) => [{ shape: 'one long line', text: '{"response":"' + 'a b '.repeat(size / 4) + '"}\n' }];
  it('SSE masking', () => {
    assert.deepEqual(superLinear((t) => { const s = new SseMasker(masker); for (const p of pieces(t)) s.push(p); s.end(); }, line, SIZE / 2), []);
  });
  it('SSE parsing', () => {
    assert.deepEqual(superLinear((t) => { const s = new SseParser(); for (const p of pieces(t)) s.push(p); s.end(); }, line, SIZE / 2), []);
  });
  it('text streams, a character at a time, while a key block or a base64 run is held', () => {
    // Each push analysed all the held text again: quadratic up to the hold limit (64 KB for a key block).
    const held = (size: number) => [
      { shape: 'key block', text: `-----BEGIN PRIVATE KEY-----\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'.repeat(size / 32).replace(/(.{64})/g, '$1\n')}` },
      { shape: 'base64 run', text: `data ${'Zm9vYmFyYmF6cXV4'.repeat(size / 16)}` },
    ];
    assert.deepEqual(superLinear((t) => { const s = masker.stream(); for (let i = 0; i < t.length; i++) s.push(t[i]!); s.end(); }, held, SIZE / 16), []);
  });
  it('NDJSON masking', () => {
    assert.deepEqual(superLinear((t) => { const s = new NdjsonMasker(masker); for (const p of pieces(t)) s.push(p); s.end(); }, ndjson, SIZE / 2), []);
  });
});
