import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFileStats, tap } from './file-stats.js';
import { readLines, splitLines } from './lines.js';

async function* chunked(bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('lines and file stats', () => {
  const text = Buffer.from('{"hash":"a1","t":"é"}\n{"hash":"b2","t":"€"}\n');

  it('splits lines and flags a last line without a newline', () => {
    assert.deepEqual(splitLines(Buffer.from('a\nb')), [
      { text: 'a', terminated: true },
      { text: 'b', terminated: false },
    ]);
  });

  it('reads the same lines whatever the chunk boundaries, even inside a character', async () => {
    for (const size of [1, 2, 5, 64]) {
      const lines = [];
      for await (const line of readLines(chunked(text, size))) lines.push(line);
      assert.deepEqual(lines, splitLines(text), `chunks of ${size}`);
    }
  });

  it('counts lines, sizes, digests and finds the chain head as bytes pass', async () => {
    const stats = createFileStats();
    for await (const _chunk of tap(chunked(text, 3), stats));
    const result = stats.result();
    assert.equal(result.events, 2);
    assert.equal(result.bytes, text.length);
    assert.equal(result.head, 'b2');
    assert.equal(result.lastLine.toString(), '{"hash":"b2","t":"€"}\n');
    assert.match(result.sha256, /^[0-9a-f]{64}$/);
  });
});
