import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../platform/problem.js';
import { readBody } from './body.js';

const stream = (text: string) => new Blob([text]).stream() as ReadableStream<Uint8Array>;
const read = (contentType: string, options: { mustRead: boolean; length?: number } = { mustRead: true }, body = '{"a":1}') => {
  const headers = new Headers({ 'content-type': contentType });
  if (options.length !== undefined) headers.set('content-length', String(options.length));
  return readBody({ method: 'POST', headers, body: stream(body) }, { mustRead: options.mustRead, maxBytes: 1 << 20 });
};
const refused = (type: string) => (error: unknown) => error instanceof Refusal && error.type === type;

describe('request bodies', () => {
  it('refuses a charset other than UTF-8 however the parameter is written, when rules read the body', async () => {
    for (const type of ['application/json; charset=utf-7', 'application/json; charset = utf-7', 'application/json;CHARSET="UTF-16LE"', "application/json; charset*=utf-8''", 'text/plain; charset=latin1']) {
      await assert.rejects(read(type), refused('unsupported-body'), type);
    }
    for (const type of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'text/plain;charset=us-ascii', 'application/json']) {
      assert.equal((await read(type)).bytes?.byteLength, 7, type);
    }
  });

  it('refuses a Content-Type it cannot read when rules read the body', async () => {
    await assert.rejects(read('application/json, application/json; charset=utf-8'), refused('unsupported-body'));
    await assert.rejects(read('application/json; charset'), refused('unsupported-body'));
    // Nobody reads it: it goes on as it is.
    assert.ok((await read('application/json; charset = utf-7', { mustRead: false, length: 300 * 1024 })).stream);
  });

  it('always reads a form, to look for a method override in it, and holds it to UTF-8', async () => {
    const form = await read('application/x-www-form-urlencoded', { mustRead: false, length: 300 * 1024 }, '_method=DELETE');
    assert.equal(new TextDecoder().decode(form.bytes), '_method=DELETE');
    await assert.rejects(read('application/x-www-form-urlencoded; charset = utf-7', { mustRead: false }), refused('unsupported-body'));
  });
});
