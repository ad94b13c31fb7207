import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTarget } from '../target.js';
import { classifyHttp } from './classify.js';

describe('http classify', () => {
  const classify = (method: string, path: string, search: string, body = '') => {
    const bytes = new TextEncoder().encode(body);
    return classifyHttp({
      method,
      target: resolveTarget('https://api.example/v2', path, search),
      headers: new Headers({ authorization: 'Bearer agent', 'api-key': 'k', 'x-trace': 't' }),
      body: { bytes, length: bytes.byteLength },
    });
  };

  it('names the operation METHOD /path and keeps the query for rules and the log', () => {
    const op = classify('GET', 'items/1', '?expand=true');
    assert.deepEqual([op.method, op.path, op.query, op.actions, op.summary], ['GET', '/items/1', 'expand=true', ['GET /items/1'], 'GET /items/1?expand=true']);
  });

  it('gives rules the whole body, never a prefix', () => {
    const op = classify('POST', 'run', '', `${' '.repeat(2 * 1024 * 1024)}printenv`);
    assert.ok(op.text.endsWith('printenv'));
  });

  it('leaves credentials out of the headers rules and the log see', () => {
    const op = classify('GET', 'x', '');
    assert.deepEqual(op.headers, { 'x-trace': 't' });
  });
});
