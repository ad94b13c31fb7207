import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../../platform/problem.js';
import { tierFor } from '../operation.js';
import { classifyMessage, classifyRequest } from './classify.js';
import { readMessages } from './messages.js';

const one = (value: unknown) => classifyMessage(readMessages(JSON.stringify(value)).messages[0]!, new Headers({ authorization: 'Bearer x' }));

describe('mcp classify', () => {
  it('names a tool call by its tool, with its arguments as text and JSON', () => {
    const op = one({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: { path: '/etc/passwd' } } });
    assert.deepEqual(op.actions, ['tools/call:read_file']);
    assert.deepEqual(op.arguments, { path: '/etc/passwd' });
    assert.equal(op.text, '{"path":"/etc/passwd"}');
    assert.equal(op.headers.authorization, undefined, 'no credential reaches rules');
  });

  it('names resources by URI and prompts by name; lists and notifications by method', () => {
    assert.deepEqual(one({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'file:///a' } }).actions, ['resources/read:file:///a']);
    assert.deepEqual(one({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'file:///a' } }).resources, ['file:///a']);
    assert.deepEqual(one({ jsonrpc: '2.0', id: 3, method: 'prompts/get', params: { name: 'review' } }).actions, ['prompts/get:review']);
    assert.deepEqual(one({ jsonrpc: '2.0', id: 4, method: 'tools/list' }).actions, ['tools/list']);
    const note = one({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.deepEqual(note.actions, ['notifications/initialized']);
    assert.deepEqual(note.flags, ['notification', 'read-only']);
  });

  it('flags what only reads as read-only (the read credential tier); tool calls and other methods are writes', () => {
    for (const method of ['initialize', 'ping', 'tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']) {
      assert.equal(tierFor(one({ jsonrpc: '2.0', id: 1, method })), 'read', method);
    }
    assert.equal(tierFor(one({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///a' } })), 'read');
    assert.equal(tierFor(one({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'p' } })), 'read');
    assert.equal(tierFor(one({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: {} } })), 'write', 'only a pinned listing says a tool reads');
    assert.equal(tierFor(one({ jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri: 'file:///a' } })), 'write');
    assert.equal(tierFor(one({ jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'debug' } })), 'write');
    const request = { method: 'POST', headers: new Headers(), body: { length: 0 } };
    const parse = (v: unknown) => readMessages(JSON.stringify(v)).messages;
    assert.equal(tierFor(classifyRequest(request, parse([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'x' } }]))), 'write', 'a batch with a write is a write');
    assert.equal(tierFor(classifyRequest(request, parse([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/initialized' }]))), 'read');
  });

  it('reads a batch message by message and refuses what is not JSON-RPC', () => {
    const { messages, batch } = readMessages(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/initialized' }]));
    assert.equal(batch, true);
    assert.deepEqual(messages.map((m) => m.type), ['request', 'notification']);
    assert.throws(() => readMessages('[]'), Refusal);
    assert.throws(() => readMessages('{"id":1,"method":"tools/list"}'), Refusal);
    assert.throws(() => readMessages(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, 7])), Refusal);
  });
});
