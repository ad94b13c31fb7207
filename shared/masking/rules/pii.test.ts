// The card scanner reads its candidate by hand, in one pass: it must read what its regex matches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CARD_CANDIDATE, readCard } from './pii.js';
import { pick, seeded } from '../../../test/support/masking.js';

const regexEnd = (text: string, at: number) => {
  CARD_CANDIDATE.lastIndex = at;
  return CARD_CANDIDATE.test(text) ? CARD_CANDIDATE.lastIndex : -1;
};

describe('pii-card candidate', () => {
  it('ends where CARD_CANDIDATE matches, at every offset of digit groups, separators and the rest', () => {
    const random = seeded(5);
    const pieces = ['4111', '0', '12', '123', '98765', ' ', '-', '  ', '--', ' -', '.', 'a', 'e', '\n', '+', '4111 1111 1111 1111', '4111-1111-1111-1111 2024'];
    let matched = 0;
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(pieces, random)).join('');
      for (let at = 0; at < text.length; at++) {
        const expected = regexEnd(text, at);
        if (expected >= 0) matched++;
        assert.equal(readCard(text, at), expected, `${JSON.stringify(text)} at ${at}`);
      }
    }
    assert.ok(matched > 1000, `only ${matched} candidates`);
  });

  it('reads the shapes at the edges of the pattern', () => {
    for (const text of ['4111 1111 11 1', '4111 1111 11 12', '4111111111123', '4111--1111 1111 1111', '4111 1111-1111 1111 1111 1111 1111', '41111111111', '4111 1111 11abc', '4111 11']) {
      assert.equal(readCard(text, 0), regexEnd(text, 0), JSON.stringify(text));
    }
  });
});
