import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRoute, matchRoute, sortBySpecificity } from './routes.js';

describe('route templates', () => {
  it('matches named parameters and a catch-all', () => {
    const route = compileRoute('proxy/{connection}/{*path}', 'proxy');
    assert.deepEqual(matchRoute(route, '/proxy/github/repos/a/b'), { connection: 'github', path: 'repos/a/b' });
    assert.deepEqual(matchRoute(route, '/proxy/github'), { connection: 'github', path: '' });
    assert.equal(matchRoute(route, '/other/github/x'), undefined);
  });

  it('decodes parameters but keeps encoded slashes and backslashes encoded', () => {
    const route = compileRoute('proxy/{connection}/{*path}', 'proxy');
    assert.deepEqual(matchRoute(route, '/proxy/my%20api/a%2Fb/c%5Cd/%C3%A9'), { connection: 'my api', path: 'a%2Fb/c%5Cd/é' });
  });

  it('supports optional parameters and ignores constraints', () => {
    const route = compileRoute('sessions/{id:alpha?}', 's');
    assert.deepEqual(matchRoute(route, '/sessions'), {});
    assert.deepEqual(matchRoute(route, '/sessions/abc'), { id: 'abc' });
    assert.equal(matchRoute(route, '/sessions/abc/def'), undefined);
  });

  it('matches literals case-insensitively', () => {
    assert.deepEqual(matchRoute(compileRoute('Health', 'h'), '/health'), {});
  });

  it('prefers the most specific template', () => {
    const routes = sortBySpecificity([
      compileRoute('approvals/{*rest}', 'catch-all'),
      compileRoute('approvals/{id}', 'by-id'),
      compileRoute('approvals/{id}/decision', 'decision'),
      compileRoute('approvals/pending', 'literal'),
    ]);
    const first = (path: string) => routes.find((r) => matchRoute(r, path))?.value;
    assert.equal(first('/approvals/pending'), 'literal');
    assert.equal(first('/approvals/42'), 'by-id');
    assert.equal(first('/approvals/42/decision'), 'decision');
    assert.equal(first('/approvals/42/x/y'), 'catch-all');
  });

  it('rejects malformed templates', () => {
    assert.throws(() => compileRoute('a/{*rest}/b', 0), /catch-all must be the last/);
    assert.throws(() => compileRoute('a/{x', 0), /bad segment/);
  });
});
