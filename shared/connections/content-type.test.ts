import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paramValues, parseContentType } from './content-type.js';

describe('content type', () => {
  const charsets = (value: string) => paramValues(parseContentType(value), 'charset');

  it('reads a charset however RFC 9110 lets it be written, and as lenient servers read it', () => {
    assert.deepEqual(charsets('application/json; charset=utf-8'), ['utf-8']);
    assert.deepEqual(charsets('application/json; charset = utf-7'), ['utf-7']);
    assert.deepEqual(charsets('application/json;charset\t=\t"UTF-16LE"'), ['utf-16le']);
    assert.deepEqual(charsets('Application/JSON; CHARSET=Utf-7'), ['utf-7']);
    assert.deepEqual(charsets("application/json; charset*=utf-7''"), ["utf-7''"]);
    assert.deepEqual(charsets('application/json; a="x;charset=utf-7"; charset=utf-8'), ['utf-8'], 'a ; inside a quoted string separates nothing');
  });

  it('names the media type in lower case, without its parameters', () => {
    assert.equal(parseContentType(' Application/Problem+JSON ; charset=utf-8').type, 'application/problem+json');
    assert.deepEqual(parseContentType(null), { type: '', params: [], malformed: false });
  });

  it('marks what it cannot read as malformed', () => {
    for (const value of ['application/json, application/json; charset=utf-7', 'json', 'application/json; charset', 'application/json; charset="utf-8', 'a/b/c']) {
      assert.ok(parseContentType(value).malformed, value);
    }
    assert.ok(!parseContentType('multipart/form-data; boundary=----a:b/c').malformed, 'a boundary outside the token set is taken as written');
  });
});
