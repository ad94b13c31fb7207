import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shannonEntropy } from './entropy.js';
import { seeded } from '../../test/support/masking.js';

/** The definition, term by term: ASCII characters in order of first occurrence, then the others. */
function entropy(value: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) counts.set(value.charCodeAt(i), (counts.get(value.charCodeAt(i)) ?? 0) + 1);
  const terms = [...counts].sort(([a], [b]) => Number(a >= 128) - Number(b >= 128));
  let bits = 0;
  for (const [, count] of terms) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

describe('shannonEntropy', () => {
  it('is the definition, to the last bit (thresholds are compared with it), for values short and long, ASCII or not', () => {
    const random = seeded(11);
    const alphabet = 'abcdefABCDEF0123456789+/=-_. é€';
    for (let length = 0; length <= 300; length++) {
      for (let k = 0; k < 20; k++) {
        const size = 1 + Math.floor(random() * alphabet.length);
        const value = Array.from({ length }, () => alphabet[Math.floor(random() * size)]).join('');
        assert.ok(Object.is(shannonEntropy(value), entropy(value)), JSON.stringify(value));
      }
    }
  });

  it('gives the known values', () => {
    assert.equal(shannonEntropy(''), 0);
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcdefgh'), 3);
    assert.equal(shannonEntropy('abcdefghabcdefgh'), 3);
  });
});
