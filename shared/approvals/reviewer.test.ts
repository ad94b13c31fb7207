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
  const TENANTS = ['t1', '6f1c2b7e-0000-4000-8000-00000000abcd'];
  const rita = (overrides: { auth_typ?: string; tid?: string | null } = {}) =>
    clientPrincipal({
      auth_typ: overrides.auth_typ ?? 'aad',
      name_typ: 'name',
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      claims: [
        { typ: 'iss', val: 'https://login.microsoftonline.com/t1/v2.0' },
        { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: 'o-rita' },
        ...(overrides.tid === null ? [] : [{ typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: overrides.tid ?? 'T1' }]),
        { typ: 'groups', val: 'g-reviewers' },
        { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Approver' },
      ],
    });
  const entra = (principal: string | null, idp: string | null = 'aad') => appServiceReviewer({ principal, idp }, TENANTS);

  it('reads the object id as subject, the issuer, groups and roles from x-ms-client-principal', () => {
    assert.deepEqual(entra(rita()), {
      subject: 'o-rita',
      issuer: 'https://login.microsoftonline.com/t1/v2.0',
      groups: ['g-reviewers', 'Approver'],
      aliases: ['entra:t1:o-rita'],
    });
    assert.equal(entra(rita({ tid: '6F1C2B7E-0000-4000-8000-00000000ABCD' }))?.subject, 'o-rita', 'tenant ids compare without case');
  });

  it('is nobody without the header, without an object id, or with a malformed one', () => {
    assert.equal(entra(null), undefined);
    assert.equal(entra(clientPrincipal({ auth_typ: 'aad', claims: [{ typ: 'name', val: 'x' }] })), undefined);
    assert.equal(entra('not base64 json'), undefined);
  });

  it('is nobody unless the identity provider is Entra, in the principal and in x-ms-client-principal-idp', () => {
    assert.equal(entra(rita(), null), undefined);
    assert.equal(entra(rita(), 'github'), undefined);
    assert.equal(entra(rita({ auth_typ: 'github' })), undefined);
    assert.equal(entra(rita({ auth_typ: 'google' }), 'aad'), undefined);
  });

  it('is nobody from a tenant outside the allow-list, or without a tenant', () => {
    assert.equal(entra(rita({ tid: 't2' })), undefined);
    assert.equal(entra(rita({ tid: 't1x' })), undefined);
    assert.equal(entra(rita({ tid: '' })), undefined);
    assert.equal(entra(rita({ tid: null })), undefined);
    assert.equal(appServiceReviewer({ principal: rita(), idp: 'aad' }, []), undefined, 'an empty allow-list admits nobody');
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
