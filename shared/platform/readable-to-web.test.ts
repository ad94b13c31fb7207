import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { readableToWeb } from './readable-to-web.js';

const text = (chunk: Uint8Array | undefined) => Buffer.from(chunk ?? []).toString();

describe('readableToWeb', () => {
  it('hands on everything buffered as one chunk, then what arrives later, then the end', async () => {
    const source = new Readable({ read() {} });
    for (let i = 0; i < 50; i++) source.push(`event ${i}\n`);
    const reader = readableToWeb(source).getReader();
    await new Promise((resolve) => setImmediate(resolve));
    const first = await reader.read();
    assert.equal(text(first.value), Array.from({ length: 50 }, (_, i) => `event ${i}\n`).join(''));
    const later = reader.read();
    source.push('late\n');
    assert.equal(text((await later).value), 'late\n');
    source.push(null);
    assert.equal((await reader.read()).done, true);
  });

  it('errors when the source is lost before its end, and with the source error', async () => {
    const lost = new Readable({ read() {} });
    lost.push('partial');
    const reader = readableToWeb(lost).getReader();
    assert.equal(text((await reader.read()).value), 'partial');
    lost.destroy();
    await assert.rejects(reader.read(), { code: 'ERR_STREAM_PREMATURE_CLOSE' });

    const failing = new Readable({ read() {} });
    const failed = readableToWeb(failing).getReader().read();
    failing.destroy(new Error('connection reset'));
    await assert.rejects(failed, /connection reset/);
  });

  it('destroys the source when the reader cancels', async () => {
    const source = new Readable({ read() {} });
    const stream = readableToWeb(source);
    await stream.cancel();
    assert.equal(source.destroyed, true);
  });
});
