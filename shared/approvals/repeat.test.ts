import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repeatKey, type RepeatParts } from './repeat.js';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const base: RepeatParts = {
  principal: { issuer: 'https://issuer.example', subject: 'agent-1' },
  connection: 'claude',
  method: 'POST',
  target: '/v1/messages',
  body: bytes({ model: 'm', messages: [{ role: 'user', content: 'terraform destroy' }] }),
};

describe('repeatKey: the same request by the same principal, and nothing else', () => {
  it('is the same for the same request, whatever the order of its JSON keys or its spacing', () => {
    const reordered = new TextEncoder().encode('{ "messages": [{"content": "terraform destroy", "role": "user"}], "model": "m" }');
    assert.equal(repeatKey(base), repeatKey({ ...base, body: reordered }));
  });

  it('differs for another principal, issuer, connection, path or body', () => {
    const key = repeatKey(base);
    assert.notEqual(key, repeatKey({ ...base, principal: { ...base.principal, subject: 'agent-2' } }));
    assert.notEqual(key, repeatKey({ ...base, principal: { ...base.principal, issuer: 'https://other.example' } }));
    assert.notEqual(key, repeatKey({ ...base, connection: 'claude-2' }));
    assert.notEqual(key, repeatKey({ ...base, target: '/v1/messages?beta=true' }));
    assert.notEqual(key, repeatKey({ ...base, body: bytes({ model: 'm', stream: true, messages: [{ role: 'user', content: 'terraform destroy' }] }) }));
  });
});
