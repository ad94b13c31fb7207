import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Utf8Pieces } from './utf8-pieces.js';

/** A generator of numbers in [0, 1) from a seed, so that a failure can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Bytes that mix ASCII, whole characters of 2 to 4 bytes, a byte order mark and bad sequences. */
function mixedBytes(random: () => number, length: number): Buffer {
  const parts = ['a', 'z ', '\n', 'é', '€', '😀', '\ufeff'].map((s) => Buffer.from(s));
  const bad = [[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0x80], [0xbf, 0xbf], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]].map((b) => Buffer.from(b));
  const out: Buffer[] = [];
  if (random() < 0.3) out.push(Buffer.from([0xef, 0xbb, 0xbf]));
  for (let size = 0; size < length; ) {
    const part = random() < 0.15 ? bad[Math.floor(random() * bad.length)]! : parts[Math.floor(random() * parts.length)]!;
    out.push(part);
    size += part.length;
  }
  return Buffer.concat(out);
}

function inPieces(bytes: Buffer, cuts: number[], options?: { keepBom?: boolean }): string {
  const pieces = new Utf8Pieces(options);
  let text = '';
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    // A copy, overwritten after use: the decoder may keep nothing of what it was given.
    const piece = Buffer.from(bytes.subarray(at, cut));
    text += pieces.push(piece);
    piece.fill(0x41);
    at = cut;
  }
  return text + pieces.end();
}

describe('Utf8Pieces', () => {
  it('gives what one TextDecoder gives over the whole, wherever the bytes are cut', () => {
    const random = seeded(7);
    for (let round = 0; round < 400; round++) {
      const bytes = mixedBytes(random, 1 + Math.floor(random() * 40));
      const cuts = Array.from({ length: Math.floor(random() * 6) }, () => Math.floor(random() * (bytes.length + 1))).sort((a, b) => a - b);
      assert.equal(inPieces(bytes, cuts), new TextDecoder().decode(bytes), `${bytes.toString('hex')} cut at ${cuts}`);
      assert.equal(inPieces(bytes, cuts, { keepBom: true }), new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), `${bytes.toString('hex')} cut at ${cuts}`);
    }
  });

  it('gives the same for every single cut of sequences that end inside a character', () => {
    for (const hex of ['efbbbf41', 'efbb', 'ef', '41f09f9880', 'f09f98', 'e282ac', 'c3a9c3', 'c0af41', 'eda080', 'ffefbbbf']) {
      const bytes = Buffer.from(hex, 'hex');
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.equal(inPieces(bytes, [cut]), new TextDecoder().decode(bytes), `${hex} cut at ${cut}`);
      }
      const byteByByte = Array.from({ length: bytes.length }, (_, i) => i);
      assert.equal(inPieces(bytes, byteByByte), new TextDecoder().decode(bytes), `${hex} byte by byte`);
    }
  });

  it('drops a byte order mark at the start only', () => {
    const pieces = new Utf8Pieces();
    assert.equal(pieces.push(Buffer.from([0xef, 0xbb])) + pieces.push(Buffer.from([0xbf, 0x61, 0xef, 0xbb, 0xbf])) + pieces.end(), 'a\ufeff');
  });
});
