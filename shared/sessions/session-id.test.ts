import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../platform/problem.js';
import { sessionIdFor } from './session-id.js';

const none = new Headers();
const github = { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', run_id: '7001', run_attempt: '2', jti: 'j-1' };

describe('sessionIdFor', () => {
  it('uses the x-portcullis-session header as it is', () => {
    assert.equal(sessionIdFor(new Headers({ 'x-portcullis-session': 'agent_42.run-7' }), github), 'agent_42.run-7');
  });

  it('refuses a header that is not a valid session id with a 400, empty included', () => {
    for (const value of ['../etc', 'a/b', '', '-lead', 'x'.repeat(201), 'sp ace']) {
      assert.throws(
        () => sessionIdFor(new Headers({ 'x-portcullis-session': value }), github),
        (error: unknown) => error instanceof Refusal && error.status === 400 && error.type === 'invalid-session',
        value,
      );
    }
  });

  it('names a GitHub Actions run by repository, run id and attempt', () => {
    assert.equal(sessionIdFor(none, github), 'gh-acme.app-7001-2');
  });

  it('names a GitLab CI pipeline by project path and pipeline id', () => {
    assert.equal(sessionIdFor(none, { project_path: 'group/sub/app', pipeline_id: 99, jti: 'x' }), 'gl-group.sub.app-99');
  });

  it("falls back to the token's jti", () => {
    assert.equal(sessionIdFor(none, { iss: 'https://idp', sub: 'alice', jti: '3f2a-11' }), 'jti-3f2a-11');
  });

  it('hashes a derived id that would not be a valid session id', () => {
    assert.match(sessionIdFor(none, { jti: 'a+b/c==' }), /^jti-[0-9a-f]{32}$/);
    assert.match(sessionIdFor(none, { ...github, repository: `acme/${'r'.repeat(250)}` }), /^gh-[0-9a-f]{32}$/);
  });

  it('without any of those, names one session per token by iss, sub and iat', () => {
    const token = { iss: 'https://idp', sub: 'alice', iat: 1_700_000_000 };
    assert.match(sessionIdFor(none, token), /^tok-[0-9a-f]{32}$/);
    assert.equal(sessionIdFor(none, token), sessionIdFor(none, { ...token }));
    assert.notEqual(sessionIdFor(none, token), sessionIdFor(none, { ...token, iat: 1_700_000_001 }));
    assert.notEqual(sessionIdFor(none, token), sessionIdFor(none, { ...token, sub: 'bob' }));
  });
});
