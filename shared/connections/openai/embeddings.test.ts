import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { secretSamples } from '../../../test/support/masking.js';
import { vectorsAside } from './embeddings.js';

const masker = vectorsAside(createMasker());

describe('embeddings answers', () => {
  it('leaves float vectors exactly as they are', () => {
    const vectors = Array.from({ length: 20 }, () => Array.from({ length: 256 }, () => Math.random() - 0.5));
    const answer = { object: 'list', data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })), model: 'e', usage: { prompt_tokens: 2, total_tokens: 2 } };
    const masked = masker.auto(JSON.stringify(answer), 'application/json');
    assert.deepEqual(JSON.parse(masked.text), answer);
    assert.deepEqual(masked.findings, []);
  });

  it('leaves base64 vectors as they are and masks the rest of the answer', () => {
    const key = secretSamples()['github-token']!();
    const embedding = Buffer.from(new Float32Array([0.1, -0.2, 0.3]).buffer).toString('base64');
    const masked = masker.auto(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding }], model: key }));
    const out = JSON.parse(masked.text);
    assert.equal(out.data[0].embedding, embedding);
    assert.equal(out.model, '[MASKED:github-token]');
  });

  it('masks an embedding field that is not a vector', () => {
    const key = secretSamples()['github-token']!();
    const out = JSON.parse(masker.auto(JSON.stringify({ data: [{ embedding: `token ${key}` }] })).text);
    assert.equal(out.data[0].embedding, 'token [MASKED:github-token]');
  });
});
