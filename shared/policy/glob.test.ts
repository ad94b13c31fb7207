import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkGlob, claimGlob, GlobError, pathGlob, policyRegExp, textGlob } from './glob.js';

describe('path globs', () => {
  it('matches * within one segment only', () => {
    const g = pathGlob('/repos/*/issues');
    assert.ok(g.test('/repos/a/issues'));
    assert.ok(!g.test('/repos/a/b/issues'));
  });

  it('matches ** across segments, including the bare prefix', () => {
    const g = pathGlob('/admin/**');
    assert.ok(g.test('/admin'));
    assert.ok(g.test('/admin/users/1'));
    assert.ok(!g.test('/administrator'));
    assert.ok(pathGlob('/**/secrets').test('/a/b/secrets'));
    assert.ok(pathGlob('/**/secrets').test('/secrets'));
  });

  it('loose (deny and review rules): any case, and a trailing slash or none, as many upstreams route them', () => {
    for (const [glob, path] of [['/admin/users', '/admin/users/'], ['/repos/*/*', '/repos/acme/prod/'], ['/admin/users/', '/admin/users'], ['/admin/**', '/Admin/'], ['/', '/']]) {
      assert.ok(pathGlob(glob!, true).test(path!), `${glob} ${path}`);
      if (glob !== '/') assert.ok(!pathGlob(glob!).test(path!), `exact: ${glob} ${path}`);
    }
    assert.ok(!pathGlob('/admin/users', true).test('/admin/users//'));
    assert.ok(!pathGlob('/admin/users', true).test('/admin/usersx'));
  });

  it('treats regex characters literally', () => {
    assert.ok(pathGlob('/v1/a.b').test('/v1/a.b'));
    assert.ok(!pathGlob('/v1/a.b').test('/v1/aXb'));
  });
});

describe('text globs', () => {
  it('lets * cross slashes, for RBAC-style actions', () => {
    const g = textGlob('Microsoft.Storage/*/listKeys/action', true);
    assert.ok(g.test('Microsoft.Storage/storageAccounts/listKeys/action'));
    assert.ok(g.test('microsoft.storage/storageaccounts/listkeys/action'));
    assert.ok(textGlob('*/delete').test('Microsoft.Compute/virtualMachines/delete'));
    assert.ok(!textGlob('*/delete').test('Microsoft.Compute/virtualMachines/write'));
  });

  it('is case-sensitive unless asked', () => {
    assert.ok(!textGlob('my-org/*').test('My-Org/repo'));
    assert.ok(textGlob('my-org/*').test('my-org/repo'));
  });
});

describe('claim globs (allow rules)', () => {
  it('keep * between / and @, so a branch named x@refs/heads/main is not main', () => {
    const g = claimGlob('my-org/infra/**@refs/heads/main');
    assert.ok(g.test('my-org/infra/.github/workflows/deploy.yml@refs/heads/main'));
    assert.ok(!g.test('my-org/infra/.github/workflows/deploy.yml@refs/heads/evil@refs/heads/main'));
    assert.ok(!g.test('my-org/infra/.github/workflows/deploy.yml@refs/heads/feature'));
    assert.ok(!claimGlob('my-org/infra/*@refs/heads/main').test('my-org/infra/.github/workflows/deploy.yml@refs/heads/main'), '* stays within one segment');
    assert.ok(claimGlob('my-org/*').test('my-org/app') && !claimGlob('my-org/*').test('my-org/app@x'));
    assert.ok(!claimGlob('my-org/?pp').test('my-org/@pp') && !claimGlob('a[@b]c').test('a@c'), '? and sets match no / or @ either');
  });
});

describe('policy regular expressions', () => {
  it('understands a leading (?i)', () => {
    assert.ok(policyRegExp('(?i)printenv').test('PrintEnv'));
    assert.ok(!policyRegExp('printenv').test('PrintEnv'));
  });
});

describe('glob syntax: sets, alternatives, escapes, and globs that do not close', () => {
  it('matches [sets] and {alternatives}', () => {
    assert.ok(textGlob('prod-[abc]').test('prod-b'));
    assert.ok(!textGlob('prod-[abc]').test('prod-d'));
    assert.ok(textGlob('prod-[!abc]').test('prod-d'));
    assert.ok(textGlob('v[0-9]').test('v7'));
    assert.ok(textGlob('{dev,test}-*').test('test-db'));
    assert.ok(!textGlob('{dev,test}-*').test('prod-db'));
    assert.ok(pathGlob('/{repos,orgs}/*/hooks').test('/orgs/acme/hooks'));
    assert.ok(!pathGlob('/a[/]b').test('/a/b'), 'a set never matches a path\'s slash');
    assert.ok(textGlob('a\\*b').test('a*b') && !textGlob('a\\*b').test('axb'));
  });

  it('refuses a [ or { that does not close, and a stray ] or }', () => {
    for (const glob of ['x[', '{a,b', 'a]', 'b}', '[]', 'x\\']) {
      assert.throws(() => textGlob(glob), GlobError, glob);
      assert.throws(() => pathGlob(`/${glob}`), GlobError, glob);
      assert.throws(() => checkGlob(glob), GlobError, glob);
    }
  });
});
