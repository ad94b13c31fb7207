import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Refusal } from '../platform/problem.js';
import { bearerToken } from './bearer.js';

const CHALLENGE = 'Bearer realm="portcullis"';

function refusedWith(header: string | null | undefined, detail: string, challenge: string) {
  assert.throws(
    () => bearerToken(header),
    (error: unknown) => {
      assert.ok(error instanceof Refusal);
      assert.equal(error.status, 401);
      assert.equal(error.detail, detail);
      assert.equal(error.headers['www-authenticate'], challenge);
      return true;
    },
  );
}

test('reads the token after a Bearer scheme in any letter case', () => {
  assert.equal(bearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
  assert.equal(bearerToken('bearer abc.def.ghi'), 'abc.def.ghi');
  assert.equal(bearerToken('  BEARER   abc.def.ghi  '), 'abc.def.ghi');
});

test('a missing or empty header is a challenge without an error code', () => {
  for (const header of [undefined, null, '', '   ', 'Bearer', 'Bearer   ']) {
    refusedWith(header, 'no bearer token', CHALLENGE);
  }
});

test('another scheme is a challenge without an error code (RFC 6750 §3.1)', () => {
  refusedWith('Basic dXNlcjpwYXNz', 'authorization scheme is not Bearer', CHALLENGE);
  refusedWith('Bearerabc.def.ghi', 'authorization scheme is not Bearer', CHALLENGE);
});

test('a Bearer credential that is not one b64token is a malformed token', () => {
  const invalid = `${CHALLENGE}, error="invalid_token", error_description="malformed token"`;
  refusedWith('Bearer abc def', 'malformed token', invalid);
  refusedWith('Bearer "abc"', 'malformed token', invalid);
  refusedWith('Bearer abc,def', 'malformed token', invalid);
});
