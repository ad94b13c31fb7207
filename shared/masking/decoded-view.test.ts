// Escaped secrets in text: the rules also read a text with its JSON escapes and percent-encoding
// of secret characters decoded, and mask what they find there in the text as written.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodedView, escapedRegions } from './decoded-view.js';
import { createMasker } from './index.js';
import { ALNUM, randomFrom } from '../../test/support/masking.js';

const masker = createMasker();
const token = () => 'ghp_' + randomFrom(ALNUM, 36);
const storageKey = () => randomBytes(64).toString('base64');
const connection = (key: string) => `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${key};EndpointSuffix=core.windows.net`;

describe('decodedView', () => {
  it('decodes escapes of secret characters and maps each offset of the view back to the text', () => {
    const text = 'a%2Bb\\u0067c\\/d%20e';
    const view = decodedView(text)!;
    assert.equal(view.text, 'a+bgc/d%20e');
    assert.deepEqual([...view.from], [0, 1, 4, 5, 11, 12, 14, 15, 16, 17, 18, 19]);
  });

  it('is undefined for a text without such an escape: none at all, spaces, a Windows path, a lone %', () => {
    for (const text of ['plain text', 'a%20b%0A', 'C:\\Users\\me\\notes', '100% sure', '\\u00e9t\\u00e9']) assert.equal(decodedView(text), undefined, text);
  });
});

describe('escapedRegions', () => {
  it('reads a stretch around each decodable escape, close ones as one, and none for a text without one', () => {
    const far = 'x'.repeat(5000);
    assert.deepEqual(escapedRegions(`a%2Bb${far}c\\/d`), [[0, 1028], [3982, 5009]]);
    assert.deepEqual(escapedRegions(`%2B${'y'.repeat(1500)}%3D`), [[0, 1506]]);
    assert.deepEqual(escapedRegions('100% and %20 and C:\\dir'), []);
  });
});

describe('escaped secrets in text are masked as written', () => {
  it('a token JSON-escaped in a log line, in text that is not one JSON document', () => {
    for (const text of [(t: string) => `log {"t":"${t.replace('ghp_', '\\u0067hp_')}"} and more`, (t: string) => `${JSON.stringify({ t })}NaN`.replace('ghp_', '\\u0067\\u0068p_')]) {
      const value = token();
      const out = masker.auto(text(value), 'application/json');
      assert.ok(!out.text.includes(value.slice(4)), out.text);
      assert.ok(out.findings.some((f) => f.rule === 'github-token'));
    }
  });

  it('a connection string percent-encoded as a query parameter, and with its slashes JSON-escaped in a log line', () => {
    for (let i = 0; i < 5; i++) {
      const key = storageKey();
      for (const text of [`GET /report?conn=${encodeURIComponent(connection(key))}&day=1`, `log: {"conn":"${connection(key).replace(/\//g, '\\/')}"} retry`]) {
        const out = masker.text(text).text;
        const pieces = key.split(/[+/]/).filter((p) => p.length >= 8);
        assert.ok(!pieces.some((p) => out.includes(p)), out);
      }
    }
  });

  it('a sensitive member percent-encoded in a query', () => {
    const value = randomFrom(ALNUM, 14) + '7';
    const out = masker.text(`GET /q?filter=${encodeURIComponent(JSON.stringify({ password: value }))}`).text;
    assert.ok(!out.includes(value), out);
  });

  it('streamed in pieces, cut anywhere, as whole', () => {
    const value = token();
    const text = `log {"t":"${value.replace('ghp_', '\\u0067hp_')}"} end`;
    for (let cut = 1; cut < text.length; cut += 3) {
      const stream = masker.stream();
      const out = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
      assert.equal(out, masker.text(text).text, `cut at ${cut}`);
      assert.ok(!out.includes(value.slice(4)));
    }
  });

  it('leaves text whose escapes hide nothing', () => {
    for (const text of ['see https://example.com/a%2Fb?q=x%3Dy%26z and C:\\Users\\me\\u0041', 'a\\/b\\/c %5Bdone%5D']) {
      assert.equal(masker.text(text).text, text);
    }
  });
});
