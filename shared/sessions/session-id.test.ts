import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../platform/problem.js';
import { sha256Hex } from './chain.js';
import { sessionIdFor } from './session-id.js';

const none = new Headers();
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const githubClaims = { iss: GITHUB_ISSUER, sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', run_id: '7001', run_attempt: '2', jti: 'j-1' };
const github = { issuer: GITHUB_ISSUER, subject: githubClaims.sub, claims: githubClaims };
const p = (issuer: string, subject: string) => sha256Hex(`${issuer}\n${subject}`).slice(0, 16);
const as = (subject: string, claims: Record<string, unknown>, issuer = 'https://idp') => ({ issuer, subject, claims });

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

  it('names a GitHub Actions run by repository, run id, attempt and principal', () => {
    assert.equal(sessionIdFor(none, github), `gh-acme.app-7001-2-${p(GITHUB_ISSUER, githubClaims.sub)}`);
  });

  it('names a GitLab CI pipeline by project path, pipeline id and principal', () => {
    assert.equal(
      sessionIdFor(none, as('project_path:group/sub/app', { project_path: 'group/sub/app', pipeline_id: 99, jti: 'x' })),
      `gl-group.sub.app-99-${p('https://idp', 'project_path:group/sub/app')}`,
    );
  });

  it("falls back to the token's jti and principal", () => {
    assert.equal(sessionIdFor(none, as('alice', { jti: '3f2a-11' })), `jti-3f2a-11-${p('https://idp', 'alice')}`);
  });

  it('never derives one session for two principals, whatever run id or jti their tokens share', () => {
    const forged = { ...githubClaims, iss: 'https://evil.example' };
    assert.notEqual(sessionIdFor(none, github), sessionIdFor(none, { issuer: 'https://evil.example', subject: githubClaims.sub, claims: forged }));
    assert.notEqual(sessionIdFor(none, github), sessionIdFor(none, { ...github, subject: 'repo:acme/app:ref:refs/heads/dev' }));
    assert.notEqual(sessionIdFor(none, as('alice', { jti: 'same' })), sessionIdFor(none, as('bob', { jti: 'same' })));
    assert.notEqual(sessionIdFor(none, as('alice', { project_path: 'g/a', pipeline_id: 1 })), sessionIdFor(none, as('alice', { project_path: 'g/a', pipeline_id: 1 }, 'https://other')));
    // Hashed ids too.
    assert.notEqual(sessionIdFor(none, as('alice', { jti: 'a+b/c==' })), sessionIdFor(none, as('bob', { jti: 'a+b/c==' })));
  });

  it('hashes a derived id that would not be a valid session id', () => {
    assert.match(sessionIdFor(none, as('alice', { jti: 'a+b/c==' })), /^jti-[0-9a-f]{32}$/);
    assert.match(sessionIdFor(none, { ...github, claims: { ...githubClaims, repository: `acme/${'r'.repeat(250)}` } }), /^gh-[0-9a-f]{32}$/);
  });

  it('without any of those, names one session per token by issuer, subject and iat', () => {
    const token = { iat: 1_700_000_000 };
    assert.match(sessionIdFor(none, as('alice', token)), /^tok-[0-9a-f]{32}$/);
    assert.equal(sessionIdFor(none, as('alice', token)), sessionIdFor(none, as('alice', { ...token })));
    assert.notEqual(sessionIdFor(none, as('alice', token)), sessionIdFor(none, as('alice', { iat: 1_700_000_001 })));
    assert.notEqual(sessionIdFor(none, as('alice', token)), sessionIdFor(none, as('bob', token)));
    assert.notEqual(sessionIdFor(none, as('alice', token)), sessionIdFor(none, as('alice', token, 'https://other')));
  });
});
