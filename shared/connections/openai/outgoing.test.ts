import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { secretSamples } from '../../../test/support/masking.js';
import { outgoingBody } from './outgoing.js';

const masker = createMasker();
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
const send = (body: unknown, action = 'chat.completions', streamUsage = true) => outgoingBody(encode(body), action, masker, { streamUsage })!;

describe('openai outgoing prompt', () => {
  it('masks a pasted .env file and keeps the request valid', () => {
    const key = secretSamples()['aws-access-key-id']!();
    const out = send({ model: 'gpt-4o', messages: [{ role: 'user', content: `here is my .env:\nAWS_ACCESS_KEY_ID=${key}\nDEBUG=1` }] });
    const body = decode(out.bytes) as { model: string; messages: Array<{ content: string }> };
    assert.equal(body.model, 'gpt-4o');
    assert.equal(body.messages[0]!.content, 'here is my .env:\nAWS_ACCESS_KEY_ID=[MASKED:aws-access-key-id]\nDEBUG=1');
    assert.deepEqual(out.findings.map((f) => [f.rule, f.location]), [['aws-access-key-id', 'request:$.messages[0].content:35']]);
  });

  it('asks a streamed chat completion for usage unless the agent did', () => {
    const asked = send({ model: 'm', stream: true, messages: [] });
    assert.deepEqual(decode(asked.bytes).stream_options, { include_usage: true });
    assert.equal(asked.askedUsage, true);
    const own = send({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [] });
    assert.equal(own.askedUsage, false);
    assert.equal(send({ model: 'm', stream: true, messages: [] }, 'chat.completions', false).askedUsage, false);
    assert.equal(send({ model: 'm', messages: [] }).askedUsage, false);
  });

  it('does not ask for logprobs, which would spell the answer out token by token', () => {
    assert.deepEqual(decode(send({ model: 'm', messages: [], logprobs: true, top_logprobs: 5 }).bytes), { model: 'm', messages: [] });
    const responses = decode(send({ model: 'm', input: 'x', top_logprobs: 3, include: ['message.output_text.logprobs', 'reasoning.encrypted_content'] }, 'responses').bytes);
    assert.deepEqual(responses, { model: 'm', input: 'x', include: ['reasoning.encrypted_content'] });
  });

  it('masks a body that is not JSON as text, and sends bytes that are not text, or none, as they are', () => {
    const token = `ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`;
    const text = outgoingBody(new TextEncoder().encode(`notes: ${token}`), 'POST /v1/files', masker, { streamUsage: true, contentType: 'text/plain' });
    assert.equal(new TextDecoder().decode(text!.bytes), 'notes: [MASKED:github-token]');
    assert.deepEqual(text!.findings.map((f) => f.location), ['request:offset:7']);
    assert.equal(outgoingBody(Uint8Array.from([0xff, 0x00, 0x81]), 'POST /v1/audio/x', masker, { streamUsage: true }), undefined);
    assert.equal(outgoingBody(new Uint8Array(), 'GET /v1/models', masker, { streamUsage: true }), undefined);
  });
});
