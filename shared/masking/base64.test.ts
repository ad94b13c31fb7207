import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seeded } from '../../test/support/masking.js';
import { maskBase64 } from './base64.js';

/** Characters of 1, 2, 3 and 4 UTF-8 bytes, so that sequences fall across every byte boundary. */
const PIECES = ['a', 'Z', '7', ' ', '\n', '\t', '{', '~', 'é', 'ß', 'Ж', 'ש', '€', '中', '한', '\u{FFFD}', '😀', '𝄞', '\u{10FFFF}'];

function text(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += PIECES[Math.floor(random() * PIECES.length)]!;
  return out;
}

const mark = (t: string) => t.replaceAll('SECRET', 'MASKED');

describe('maskBase64', () => {
  it('decodes every UTF-8 text, whatever its first bytes, and encodes it again masked', () => {
    const random = seeded(22);
    for (let n = 0; n < 2000; n++) {
      const plain = text(random, 1 + Math.floor(random() * 24)) + ' SECRET ' + text(random, 4);
      const encoded = Buffer.from(plain).toString('base64');
      const wrapped = n % 2 === 0 ? encoded : (encoded.match(/.{1,60}/g) ?? []).join('\n') + '\n';
      const masked = maskBase64(wrapped, 0, mark);
      assert.ok(masked !== undefined, `not read as text: ${JSON.stringify(plain)}`);
      assert.equal(Buffer.from(masked.replace(/\n/g, ''), 'base64').toString(), mark(plain));
    }
  });

  it('reads text whose first bytes are a control character, as long as such characters are few', () => {
    const plain = '\u0001' + 'configuration line '.repeat(10) + 'SECRET';
    const masked = maskBase64(Buffer.from(plain).toString('base64'), 0, mark);
    assert.equal(Buffer.from(masked ?? '', 'base64').toString(), mark(plain));
  });

  it('leaves bytes that are not text: random tokens, hashes, NUL, broken sequences', () => {
    const random = seeded(23);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const notText = [
      ...Array.from({ length: 200 }, () => bytes(24 + Math.floor(random() * 40))),
      Buffer.concat([Buffer.from('abc\0'), Buffer.from(' SECRET in text after a NUL')]),
      Buffer.concat([Buffer.from('ab'), Buffer.of(0xc3, 0x28), Buffer.from(' SECRET after a broken sequence')]),
      Buffer.concat([Buffer.from('abcdefgh'), Buffer.of(0xed, 0xa0, 0x80), Buffer.from(' SECRET after a surrogate')]),
      Buffer.concat([Buffer.of(0xc0, 0xaf), Buffer.from(' SECRET after an overlong slash')]),
    ];
    for (const b of notText) assert.equal(maskBase64(b.toString('base64'), 0, mark), undefined, b.toString('hex'));
  });
});
