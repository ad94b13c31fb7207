// Decimal numbers are never split by a PII detector: the digits of a float pass Luhn (and the
// phone and SSN shapes) often enough that a few percent of random floats came back corrupted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { cardNumber, pick, seeded, type Random } from '../../test/support/masking.js';

const ALL_PII = { email: true, phone: true, card: true, iban: true, ssn: true, ip: true };
const masker = createMasker({ pii: ALL_PII });

const FORMATS: ((x: number, random: Random) => string)[] = [
  (x) => String(x),
  (x) => x.toExponential(),
  (x, random) => x.toExponential(1 + Math.floor(random() * 19)).toUpperCase(),
  (x, random) => x.toPrecision(1 + Math.floor(random() * 21)),
  (x, random) => (Math.abs(x) < 1e20 ? x.toFixed(1 + Math.floor(random() * 20)) : x.toExponential()),
];

/**
 * `count` floats as programs write them: signs, magnitudes from 1e-30 to 1e30, plain and
 * exponent notation. Only numbers written with a fraction or an exponent: one written as a
 * plain integer is an integer, and may be a card number.
 */
function floats(random: Random, count: number): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const x = (random() < 0.5 ? -1 : 1) * random() * 10 ** (Math.floor(random() * 61) - 30);
    const text = pick(FORMATS, random)(x, random);
    if (/[.eE]/.test(text)) out.push(text);
  }
  return out;
}

describe('decimal numbers', () => {
  const random = seeded(2024);
  const numbers = floats(random, 10_000);

  it('come back byte for byte from JSON mode, 10,000 random floats', () => {
    const body = `[${numbers.join(',')}]`;
    JSON.parse(body);
    const out = masker.auto(body);
    assert.deepEqual(out.findings, []);
    assert.equal(out.text, body);
    const pretty = `{\n  "embedding": [\n    ${numbers.join(',\n    ')}\n  ],\n  "p50": -0.4539876512345678\n}`;
    JSON.parse(pretty);
    assert.equal(masker.auto(pretty).text, pretty);
  });

  it('come back unchanged from text mode, in lists, logs and dumps', () => {
    const texts = [
      numbers.join(', '),
      numbers.join(' '),
      numbers.join('\n'),
      numbers.map((n, i) => `latency_${i}=${n}ms`).join(' '),
      `tensor([${numbers.slice(0, 2000).join(', ')}])`,
    ];
    for (const text of texts) {
      const out = masker.text(text);
      assert.deepEqual(out.findings, [], text.slice(0, 80));
      assert.equal(out.text, text);
    }
  });

  it('come back unchanged from json() over parsed values', () => {
    const values = numbers.map(Number).filter((x) => /[.e]/.test(String(x)));
    assert.deepEqual(masker.json(values).value, values);
  });

  it('are not split by the card, phone or SSN detectors at either end', () => {
    for (const text of [
      '-0.4539876512345678', 'x=1.5e+4111111111111111', '4111111111111111.5', '4111111111111111e5', '4111111111111111E-5',
      '-.4111111111111111', ' .4111111111111111', 'v=0.4111 1111 1111 1111', '12.345 678.9012', '1.2 415 555 2671.5',
      '0.123-45-6789', '123-45-6789.5',
    ]) {
      assert.equal(masker.text(text).text, text, text);
    }
  });

  it('leave card numbers given as integers or in text masked, next to floats too', () => {
    const cards = Array.from({ length: 50 }, () => cardNumber(random));
    const body = `[${cards.map((card, i) => `${card},${numbers[i]}`).join(',')}]`;
    const expected = `[${cards.map((_, i) => `"[MASKED:pii-card]",${numbers[i]}`).join(',')}]`;
    assert.equal(masker.auto(body).text, expected);
    for (const card of cards) {
      const spaced = card.replace(/(\d{4})(?!$)/g, '$1 ');
      assert.equal(masker.text(`card ${spaced} exp 0.5`).text, 'card [MASKED:pii-card] exp 0.5');
      assert.equal(masker.text(`card ${card}.`).text, 'card [MASKED:pii-card].');
      assert.equal(masker.text(`no.${card}, -${card}`).text, 'no.[MASKED:pii-card], -[MASKED:pii-card]');
    }
    assert.equal(masker.text('call 415.555.2671 or ssn 123-45-6789.').text, 'call [MASKED:pii-phone] or ssn [MASKED:pii-ssn].');
  });
});
