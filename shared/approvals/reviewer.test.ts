import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { csrfToken, csrfValid, sameOrigin } from './csrf.js';
import { deriveKeys } from './keys.js';
import { appServiceReviewer, devReviewer, SIGN_IN_COOKIE, signInCookie } from './reviewer.js';

const keys = deriveKeys(randomBytes(32));
const NOW = new Date('2030-01-01T10:00:00Z');
const clientPrincipal = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('reviewers: App Service Authentication', () => {
  it('reads the object id as subject, the issuer, groups and roles from x-ms-client-principal', () => {
    const header = clientPrincipal({
      auth_typ: 'aad',
      name_typ: 'name',
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      claims: [
        { typ: 'iss', val: 'https://login.microsoftonline.com/t1/v2.0' },
        { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'o-rita' },
        { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: 'T1' },
        { typ: 'groups', val: 'g-reviewers' },
        { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Approver' },
      ],
    });
    assert.deepEqual(appServiceReviewer(header), {
      subject: 'o-rita',
      issuer: 'https://login.microsoftonline.com/t1/v2.0',
      groups: ['g-reviewers', 'Approver'],
      aliases: ['entra:t1:o-rita'],
    });
  });

  it('is nobody without the header, without an object id, or with a malformed one', () => {
    assert.equal(appServiceReviewer(null), undefined);
    assert.equal(appServiceReviewer(clientPrincipal({ auth_typ: 'aad', claims: [{ typ: 'name', val: 'x' }] })), undefined);
    assert.equal(appServiceReviewer('not base64 json'), undefined);
  });
});

describe('reviewers: dev sign-in cookie', () => {
  const rita = { subject: 'rita', issuer: 'https://issuer.example', groups: ['reviewers'], aliases: [] };
  const cookie = (value: string) => `other=1; ${SIGN_IN_COOKIE}=${value}`;

  it('round-trips the reviewer', () => {
    assert.deepEqual(devReviewer(keys.signIn, cookie(signInCookie(keys.signIn, rita, NOW)), NOW), rita);
  });

  it('refuses a tampered, foreign-key or expired cookie', () => {
    const value = signInCookie(keys.signIn, rita, NOW);
    const [payload, mac] = value.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'rita', iss: rita.issuer, groups: ['admins'], exp: 9999999999 })).toString('base64url');
    assert.equal(devReviewer(keys.signIn, cookie(`${forged}.${mac}`), NOW), undefined);
    assert.equal(devReviewer(keys.signIn, cookie(`${payload}.${mac}x`), NOW), undefined);
    assert.equal(devReviewer(keys.csrf, cookie(value), NOW), undefined);
    assert.equal(devReviewer(keys.signIn, cookie(value), new Date(NOW.getTime() + 9 * 3_600_000)), undefined);
    assert.equal(devReviewer(keys.signIn, null, NOW), undefined);
  });
});

describe('CSRF', () => {
  const rita = { subject: 'rita', issuer: 'https://issuer.example' };

  it('binds the token to the reviewer, the approval and the link', () => {
    const token = csrfToken(keys.csrf, rita, 'api.1', 'jti-1');
    assert.equal(csrfValid(keys.csrf, token, rita, 'api.1', 'jti-1'), true);
    assert.equal(csrfValid(keys.csrf, token, { ...rita, subject: 'sam' }, 'api.1', 'jti-1'), false);
    assert.equal(csrfValid(keys.csrf, token, rita, 'api.2', 'jti-1'), false);
    assert.equal(csrfValid(keys.csrf, token, rita, 'api.1', 'jti-2'), false);
    assert.equal(csrfValid(keys.csrf, '', rita, 'api.1', 'jti-1'), false);
  });

  it('accepts only our own origin', () => {
    assert.equal(sameOrigin('https://gw.example', 'https://gw.example/'), true);
    assert.equal(sameOrigin('https://evil.example', 'https://gw.example'), false);
    assert.equal(sameOrigin('null', 'https://gw.example'), false);
    assert.equal(sameOrigin(null, 'https://gw.example'), false);
  });
});
