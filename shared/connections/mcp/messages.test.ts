import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../../platform/problem.js';
import { idKey, readMessages } from './messages.js';

describe('mcp message ids', () => {
  it('takes for one id what the SDK client (Number) or a string compare takes for one', () => {
    for (const same of ['3', '03', '3.0', ' 3', 3.0]) assert.equal(idKey(same), idKey(3), JSON.stringify(same));
    assert.equal(idKey(null), idKey(0), 'the SDK reads null as 0');
    assert.equal(idKey(''), idKey(0));
    assert.notEqual(idKey('a'), idKey('b'));
    assert.notEqual(idKey(4), idKey(3));
  });

  it('refuses a batch whose requests share an id, but not a request and a response', () => {
    for (const batch of [
      [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 1, method: 'ping' }],
      [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: '1.0', method: 'ping' }],
    ]) {
      assert.throws(() => readMessages(JSON.stringify(batch)), (e: unknown) => e instanceof Refusal && e.status === 400);
    }
    const mixed = [{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 1, result: {} }];
    assert.equal(readMessages(JSON.stringify(mixed)).messages.length, 2);
  });
});
