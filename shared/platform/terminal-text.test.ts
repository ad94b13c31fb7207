import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasInvisibleCharacters, visible } from './terminal-text.js';

describe('visible', () => {
  it('escapes C0 and C1 controls and DEL', () => {
    assert.equal(visible('a\x1b[2Jb\x07\x00\x7f\x85\x9b'), 'a\\x1b[2Jb\\x07\\x00\\x7f\\x85\\x9b');
    assert.equal(visible('one\ntwo\r\tthree'), 'one\\ntwo\\r\\tthree');
  });

  it('escapes bidi overrides, isolates and marks, zero-width characters and line separators', () => {
    const tricky = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff\u2028\u2029';
    assert.equal(visible(`x${tricky}y`), `x${[...tricky].map((c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`).join('')}y`);
    assert.equal(visible('tag\u{e0041}'), 'tag\\u{e0041}');
  });

  it('leaves printable text alone, whatever its script', () => {
    const text = 'gpt-4o "orders" Zürich 東京 مرحبا 🙂 \\x1b';
    assert.equal(visible(text), text);
    assert.equal(hasInvisibleCharacters(text), false);
    assert.equal(hasInvisibleCharacters('agent\u202e'), true);
    assert.equal(hasInvisibleCharacters('agent\x1b'), true);
  });
});
