// Recall and false positives of the default rules on generated corpora (test/support/masking.ts):
// every format the built-in rules know, in the settings it is met in, and strings that must
// come through unchanged. Goals (issue 22): at least 95% masked, at most 10% of negatives altered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { negativeCorpus, recallCorpus, seeded } from '../../test/support/masking.js';

const masker = createMasker();

describe('recall on a corpus of every format', () => {
  it('masks at least 95% of at least 150 samples across at least 40 formats (text and JSON-aware mode)', () => {
    const corpus = recallCorpus(seeded(22));
    const formats = new Set(corpus.map((s) => s.format));
    assert.ok(corpus.length >= 150, `${corpus.length} samples`);
    assert.ok(formats.size >= 40, `${formats.size} formats`);
    for (const mode of ['text', 'auto'] as const) {
      const missed = corpus.filter((s) => masker[mode](s.text).text.includes(s.secret));
      const recall = 1 - missed.length / corpus.length;
      assert.ok(recall >= 0.95, `${mode}: ${(recall * 100).toFixed(1)}% masked; missed: ${missed.map((s) => s.format).join(', ')}`);
      // Every format the corpus holds is found today: a miss is a regression worth a look.
      assert.deepEqual(missed.map((s) => s.format), [], mode);
    }
  });

  it('masks every sample in a stream split anywhere', () => {
    for (const sample of recallCorpus(seeded(5)).filter((_, i) => i % 7 === 0)) {
      const s = masker.stream();
      const cut = Math.floor(sample.text.length / 2);
      const out = s.push(sample.text.slice(0, cut)) + s.push(sample.text.slice(cut)) + s.end();
      assert.ok(!out.includes(sample.secret), `${sample.format}: ${out}`);
    }
  });
});

describe('negatives: what must stay as it is', () => {
  it('alters at most 10% of the negatives corpus, and none of its fixed strings', () => {
    const corpus = negativeCorpus(seeded(22));
    const altered = corpus.filter((text) => masker.auto(text).text !== text);
    assert.ok(altered.length / corpus.length <= 0.1, `${altered.length} of ${corpus.length} altered`);
    assert.deepEqual(altered.map((t) => `${t.slice(0, 80)} → ${masker.auto(t).findings.map((f) => f.rule).join(',')}`), []);
  });
});
