// Never throws, and never lets out a value the engine itself detected: random bytes, invalid
// UTF-8, huge lines and deeply nested JSON, through every mode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from './engine.js';
import { createMasker, loadGitleaksPack, maskByteStream } from './index.js';
import { piiRules } from './rules/pii.js';
import { secretRules } from './rules/secrets.js';
import { ALNUM, pick, randomFrom, secretSamples, seeded, type Random } from '../../test/support/masking.js';
import { readFileSync } from 'node:fs';

const ALL_PII = { email: true, phone: true, card: true, iban: true, ssn: true, ip: true };
const pack = loadGitleaksPack(readFileSync(new URL('../../test/data/gitleaks/gitleaks.toml', import.meta.url), 'utf8'));
const masker = createMasker({ pii: ALL_PII }, [pack]);
const engine = new Engine([...secretRules, ...pack.rules], piiRules(ALL_PII));

function randomBytes(random: Random, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
}

function noisyText(random: Random): string {
  const samples = Object.values(secretSamples(random));
  const pieces: string[] = [];
  for (let i = 0; i < 30; i++) {
    const r = random();
    if (r < 0.2) pieces.push(pick(samples, random)());
    else if (r < 0.4) pieces.push(new TextDecoder().decode(randomBytes(random, 1 + Math.floor(random() * 20))));
    else if (r < 0.5) pieces.push(String.fromCharCode(0xd800 + Math.floor(random() * 0x800)));
    else pieces.push(randomFrom(ALNUM + ' \n\t"\\{}[]:,=@.-+()/', 1 + Math.floor(random() * 30), random));
  }
  return pieces.join('');
}

/** Every detected value at least 8 long is absent from the output. */
function assertNoDetectedValue(input: string, output: string) {
  for (const span of engine.detect(input)) {
    const value = input.slice(span.start, span.end);
    if (value.length >= 8 && !value.includes('[MASKED:')) assert.ok(!output.includes(value), `leaked ${span.rule}`);
  }
}

describe('fuzz', () => {
  it('text, auto and stream never throw and never let a detected value out', () => {
    const random = seeded(42);
    for (let n = 0; n < 150; n++) {
      const input = noisyText(random);
      const text = masker.text(input).text;
      assertNoDetectedValue(input, text);
      assertNoDetectedValue(input, masker.auto(input).text);
      const s = masker.stream();
      let out = '';
      for (let at = 0; at < input.length; at += 1 + Math.floor(random() * 25)) out += s.push(input.slice(at, at + 1 + Math.floor(random() * 25)));
      out += s.end();
      assertNoDetectedValue(input, out);
    }
  });

  it('random JSON documents stay valid JSON of the same shape, with nothing detected left in', () => {
    const random = seeded(9);
    const samples = Object.values(secretSamples(random));
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 5 || r < 0.3) return random() < 0.5 ? pick(samples, random)() + ' ' + noisyText(random).slice(0, 20) : Math.floor(random() * 1e6);
      if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const object: Record<string, unknown> = {};
      for (let i = 0; i < 3; i++) object[pick(['a', 'password', 'note', 'args', 'x y'], random) + i] = i === 2 ? JSON.stringify(value(depth + 1)) : value(depth + 1);
      return object;
    };
    // Shape: containers, their lengths and keys; a masked scalar may become a string.
    const shape = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(shape) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : 'scalar';
    for (let n = 0; n < 100; n++) {
      const doc = value(0);
      const body = JSON.stringify(doc, null, random() < 0.5 ? 2 : undefined);
      const out = masker.auto(body);
      const parsed: unknown = JSON.parse(out.text);
      const keys = (v: unknown) => JSON.stringify(shape(v), (_, x: unknown) => (typeof x === 'string' && x !== 'scalar' ? 'scalar' : x));
      assert.equal(keys(parsed).replace(/\[MASKED:[^\]]*\]/g, ''), keys(doc).replace(/\[MASKED:[^\]]*\]/g, ''));
      assertNoDetectedValue(body, out.text);
      assertNoDetectedValue(body, JSON.stringify(masker.json(doc).value));
    }
  });

  it('survives huge lines, invalid UTF-8 through byte streams, and deep or broken JSON', async () => {
    const random = seeded(5);
    const huge = randomFrom(ALNUM, 3_000_000, random);
    assert.equal(masker.text(huge).text.length > 0, true);
    assert.ok(masker.auto('{"a":"' + huge + '"}').text.startsWith('{"a":"'));
    for (const body of ['{', '[1,', '{"a":"\\x"}', '"\\ud800"', '[' .repeat(50000), '{"a":1}}', '\u0000\uffff', '']) {
      masker.auto(body);
      masker.auto(body, 'application/json');
    }
    for (const sse of [false, true]) {
      const chunks = Array.from({ length: 50 }, () => randomBytes(random, Math.floor(random() * 200)));
      const source = new ReadableStream<Uint8Array>({ start: (c) => { for (const x of chunks) c.enqueue(x); c.close(); } });
      const reader = source.pipeThrough(maskByteStream(masker, { sse })).getReader();
      while (!(await reader.read()).done);
    }
  });
});
