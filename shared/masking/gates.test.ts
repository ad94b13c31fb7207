import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from './engine.js';
import { compileGates } from './gates.js';
import { Prefilter } from './prefilter.js';
import { piiRules } from './rules/pii.js';
import { piiAdversarialInputs, pick, randomFrom, seeded, type Random } from '../../test/support/masking.js';

const ALL_PII = { email: true, phone: true, card: true, iban: true, ssn: true, ip: true };

/** Offsets just past each match of each gate, as a regex tried at every offset finds them. */
function naiveEnds(gates: string[], text: string): string[] {
  const ends = new Set<string>();
  gates.forEach((gate, g) => {
    for (let length = 1; length <= 20; length++) {
      const exact = new RegExp(`^(?:${gate})$`);
      for (let at = 0; at + length <= text.length; at++) if (exact.test(text.slice(at, at + length))) ends.add(`${at + length}:${g}`);
    }
  });
  return [...ends].sort();
}

/** Text dense in digits, separators and the characters the PII patterns turn on. */
function pieces(random: Random, n: number): string {
  const parts = ['4111 1111 1111 1111', '4111-1111-1111-1111', '123-45-6789', '+1 415 555 2671', '(415) 555-2671', '415.555.2671',
    '10.20.30.40', '1.2.3.4.5', 'fe80::1ff:fe23:4567:890a', '::1', 'T12:34:56', 'GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000',
    'a.b@example.com', '@', 'x@y', '2024-05-01', '12345 200 123'];
  return Array.from({ length: n }, () => (random() < 0.4 ? pick(parts, random) : randomFrom('0123456789 -.:+()@ABCDEFGZaefz_', 1 + Math.floor(random() * 12), random))).join(pick(['', ' ', '-', '.', 'x'], random));
}

describe('gates', () => {
  it('end where a regex tried at every offset ends, for overlapping and optional parts', () => {
    const gates = [String.raw`\d{4}[ -]?\d{4}`, String.raw`\d{1,3}\.\d{1,3}\.\d`, ':[0-9A-Fa-f]{0,4}:', '@', String.raw`[A-Z]{2}\d{2} ?[A-Z0-9]{4}`, String.raw`\(\d{3}\)`];
    const prefilter = new Prefilter([], gates);
    const random = seeded(21);
    for (let n = 0; n < 200; n++) {
      const text = pieces(random, 1 + Math.floor(random() * 8));
      const hits = prefilter.scan(text);
      const got = Array.from({ length: hits.gate.length }, (_, h) => Array.from({ length: hits.gateRun[h]! }, (_, k) => `${hits.gateEnd[h]! + k}:${hits.gate[h]}`)).flat();
      assert.deepEqual([...got].sort(), naiveEnds(gates, text), text);
    }
  });

  it('report the shortest and longest match of each gate', () => {
    const automaton = compileGates([String.raw`\d{1,3}\.\d{1,3}`, ':[0-9A-Fa-f]{0,4}:', String.raw`[A-Z]{2}\d{2} ?[A-Z0-9]{4}`]);
    assert.deepEqual([...automaton.minLength], [3, 2, 8]);
    assert.deepEqual([...automaton.maxLength], [7, 6, 9]);
  });

  it('refuse what they cannot express', () => {
    assert.throws(() => compileGates(['a|b']), /unsupported/);
    assert.throws(() => compileGates(['x?y']), /required/);
  });

  it('let each PII scanner find, from its gate starts alone, what it finds trying every offset', () => {
    const random = seeded(8);
    const rules = piiRules(ALL_PII);
    const prefilter = new Prefilter([], rules.flatMap((r) => r.gates));
    const owner = rules.flatMap((rule, index) => rule.gates.map(() => index));
    const { minLength, maxLength } = prefilter.gates;
    for (let n = 0; n < 400; n++) {
      const text = pieces(random, 1 + Math.floor(random() * 12));
      const hits = prefilter.scan(text);
      const starts = rules.map(() => new Set<number>());
      for (let h = 0; h < hits.gate.length; h++) {
        const gate = hits.gate[h]!;
        const last = hits.gateEnd[h]! + hits.gateRun[h]! - 1;
        for (let at = hits.gateEnd[h]! - maxLength[gate]!; at <= last - minLength[gate]!; at++) if (at >= 0) starts[owner[gate]!]!.add(at);
      }
      const every = Array.from({ length: text.length }, (_, at) => at);
      rules.forEach((rule, index) => {
        const found = (at: readonly number[]) => {
          const spans: string[] = [];
          rule.scan(text, at, (s, e) => spans.push(text.slice(s, e)));
          return spans;
        };
        assert.deepEqual(found([...starts[index]!].sort((a, b) => a - b)), found(every), `${rule.id} in ${JSON.stringify(text)}`);
      });
    }
  });

  it('let each PII scanner find a value inside every shape that floods its gates', () => {
    // Runs of gate characters are recorded and read a run at a time, and candidates are
    // rejected by cheap counts first: none of that may lose a value next to such a run.
    const values = ['bob@example.com', '4111 1111 1111 1111', '123-45-6789', '+1 415 555 2671', '(415) 555-2671',
      'GB82 WEST 1234 5698 7654 32', '10.20.30.40', 'fe80::1ff:fe23:4567:890a'];
    const engine = new Engine([], piiRules(ALL_PII));
    for (const { shape, text } of piiAdversarialInputs(50_000)) {
      for (const value of values) {
        const at = 25_000;
        const flooded = `${text.slice(0, at)} x ${value} x ${text.slice(at)} x ${value}`;
        const spans = engine.detect(flooded);
        const masked = (start: number) => spans.some((span) => span.start <= start && span.end >= start + value.length);
        assert.ok(masked(at + 3), `${value} in ${shape} (middle)`);
        assert.ok(masked(flooded.length - value.length), `${value} in ${shape} (end)`);
      }
    }
  });
});
