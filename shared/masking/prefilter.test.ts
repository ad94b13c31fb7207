import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeywordPrefilter } from './prefilter.js';
import { regexBounds } from './regex-bounds.js';
import { randomFrom, seeded } from './test-support.js';

function naive(keywords: string[], text: string): string[] {
  const lower = text.toLowerCase();
  const hits: string[] = [];
  keywords.forEach((k, index) => {
    for (let at = lower.indexOf(k); at !== -1; at = lower.indexOf(k, at + 1)) hits.push(`${at}:${index}`);
  });
  return hits.sort();
}

describe('KeywordPrefilter', () => {
  it('finds every keyword occurrence, overlapping and case-folded, as a naive search does', () => {
    const random = seeded(3);
    const keywords = ['ab', 'abc', 'bca', 'c', 'ghp_', 'sk-', 'token', 'to'];
    const prefilter = new KeywordPrefilter(keywords);
    for (let n = 0; n < 300; n++) {
      const text = randomFrom('abcABC_-ghpskTOKENtoken ', 1 + Math.floor(random() * 60), random);
      const hits = prefilter.scan(text);
      const got = Array.from({ length: hits.count }, (_, i) => `${hits.start[i]}:${hits.keyword[i]}`).sort();
      assert.deepEqual(got, naive(keywords, text), text);
    }
  });

  it('reports a keyword that may still be forming at the end', () => {
    const prefilter = new KeywordPrefilter(['ghp_', 'token']);
    assert.equal(prefilter.scan('see gh').pendingPrefix, 2);
    assert.equal(prefilter.scan('see TOKE').pendingPrefix, 4);
    assert.equal(prefilter.scan('see x').pendingPrefix, 0);
  });
});

describe('regexBounds', () => {
  it('measures the shortest and longest match', () => {
    assert.deepEqual(regexBounds('ghp_[A-Za-z0-9]{36}'), { min: 40, max: 40 });
    assert.deepEqual(regexBounds('a(?:bc|d)?e{2,5}'), { min: 3, max: 8 });
    assert.deepEqual(regexBounds('(?<![a-z])x\\b(?=y)'), { min: 1, max: 1 });
    assert.deepEqual(regexBounds('[\\]a]+'), { min: 1, max: Infinity });
    assert.equal(regexBounds('(a)\\1').max, Infinity);
  });
});
