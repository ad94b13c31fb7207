import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonPath, selectJsonPath } from './json-path.js';
import { JSON_PATH } from './schema.js';

const select = (value: unknown, path: string) => selectJsonPath(value, parseJsonPath(path));

describe('json path', () => {
  const args = { path: '/etc/x', files: [{ name: 'a' }, { name: 'b' }], 'odd key': 1 };
  it('selects by key, index, wildcard and quoted key', () => {
    assert.deepEqual(select(args, '$.path'), ['/etc/x']);
    assert.deepEqual(select(args, '$.files[1].name'), ['b']);
    assert.deepEqual(select(args, '$.files[*].name'), ['a', 'b']);
    assert.deepEqual(select(args, '$["odd key"]'), [1]);
    assert.deepEqual(select(args, '$'), [args]);
  });
  it('selects nothing where a step does not apply (no prototype keys)', () => {
    assert.deepEqual(select(args, '$.missing'), []);
    assert.deepEqual(select(args, '$.path.length'), []);
    assert.deepEqual(select(args, '$.constructor'), []);
    assert.deepEqual(select(args, '$.files[5]'), []);
  });
  it('accepts only the paths it can read', () => {
    for (const ok of ['$', '$.a', '$.a[0]', '$.a[*].b', '$.*', '$["a.b"]']) assert.match(ok, JSON_PATH);
    for (const bad of ['a', '$..a', '$.a[?(@.b)]', '$[-1]', '$.']) assert.doesNotMatch(bad, JSON_PATH);
  });
});
