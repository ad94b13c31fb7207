import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { pushedInPieces, secretSamples, seeded } from '../../../test/support/masking.js';
import { ChatDeltas } from './chat-stream.js';
import { SseParser } from '../../masking/index.js';
import { LlmSseMasker } from '../llm-stream.js';

const masker = createMasker();
const samples = secretSamples(seeded(7));
const secret = samples['github-token']!();

type Chunk = { id: string; object: string; created: number; model: string; choices: unknown[]; usage?: unknown };

const envelope = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-test' };
const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): Chunk => ({ ...envelope, choices, ...extra });
const content = (text: string, index = 0) => chunk([{ index, delta: { content: text }, finish_reason: null }]);
const finish = (index = 0, reason = 'stop') => chunk([{ index, delta: {}, finish_reason: reason }]);
const sse = (chunks: unknown[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';

function run(upstream: string, pieces: number[] = [], dropUsage = false) {
  const stream = new LlmSseMasker(masker, (findings) => new ChatDeltas(masker, findings, { dropUsage, judge: () => ({ action: 'allow', rule: 'default', reason: '' }) }));
  return { out: pushedInPieces(stream, upstream, pieces), stream };
}

/** The chunks the agent receives, parsed. */
function received(out: string): { chunks: Chunk[]; done: boolean } {
  const parser = new SseParser();
  const events = [...parser.push(out), ...parser.end()];
  const done = events.at(-1)?.data === '[DONE]';
  return { chunks: events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data!) as Chunk), done };
}

const textOf = (chunks: Chunk[], index = 0) =>
  chunks
    .flatMap((c) => c.choices as Array<{ index: number; delta: { content?: string } }>)
    .filter((c) => c.index === index)
    .map((c) => c.delta.content ?? '')
    .join('');

/** Any 8 characters of the secret, in order, would be a leak. */
const leaks = (text: string, value: string) => {
  for (let i = 0; i + 8 <= value.length; i++) if (text.includes(value.slice(i, i + 8))) return true;
  return false;
};

describe('chat stream masking: a secret split across chunks', () => {
  const before = 'Your deploy token is ';
  const after = ' and it expires tomorrow.';
  const expected = `${before}[MASKED:github-token]${after}`;

  it('never leaks it, wherever the split falls in the secret (every split point)', () => {
    for (let k = 1; k < secret.length; k++) {
      const upstream = sse([content(before + secret.slice(0, k)), content(secret.slice(k) + after), finish()]);
      const { out, stream } = run(upstream);
      assert.ok(!leaks(out, secret), `split at ${k}: ${out}`);
      const { chunks, done } = received(out);
      assert.equal(textOf(chunks), expected, `split at ${k}`);
      assert.ok(done);
      assert.equal(stream.findings.filter((f) => f.rule === 'github-token').length, 1, `split at ${k}`);
    }
  });

  it('never leaks it whatever the network chunking of the event stream (every byte boundary)', () => {
    const upstream = sse([content(before), content(secret.slice(0, 15)), content(secret.slice(15, 30)), content(secret.slice(30)), content(after), finish()]);
    for (let m = 0; m <= upstream.length; m++) {
      const { out } = run(upstream, [m]);
      assert.ok(!leaks(out, secret), `cut at ${m}`);
      assert.equal(textOf(received(out).chunks), expected, `cut at ${m}`);
    }
  });

  it('sends the text it held in a delta just before the finish chunk', () => {
    const upstream = sse([content(before), content(secret.slice(0, 20)), content(secret.slice(20)), finish()]);
    const { chunks } = received(run(upstream).out);
    const last = chunks.at(-1)!.choices[0] as { delta: unknown; finish_reason: string };
    assert.deepEqual(last, { index: 0, delta: {}, finish_reason: 'stop' });
    const flush = chunks.at(-2)!;
    assert.deepEqual(flush.choices, [{ index: 0, delta: { content: '[MASKED:github-token]' }, finish_reason: null }]);
    assert.equal(flush.id, 'chatcmpl-1');
    assert.equal(flush.model, 'gpt-test');
  });

  it('flushes at [DONE] a stream that never sent a finish reason', () => {
    const upstream = sse([content(before), content(secret)]);
    const { out } = run(upstream);
    assert.ok(!leaks(out, secret));
    assert.equal(textOf(received(out).chunks), `${before}[MASKED:github-token]`);
  });

  it('masks text in the chunk that carries the finish reason', () => {
    const upstream = sse([content(before), chunk([{ index: 0, delta: { content: secret + after }, finish_reason: 'stop' }])]);
    const { chunks } = received(run(upstream).out);
    assert.equal(textOf(chunks), expected);
    assert.equal((chunks.at(-1)!.choices[0] as { finish_reason: string }).finish_reason, 'stop');
  });

  it('keeps choices apart', () => {
    const other = samples['aws-access-key-id']!();
    const upstream = sse([
      chunk([{ index: 0, delta: { content: secret.slice(0, 10) }, finish_reason: null }, { index: 1, delta: { content: other.slice(0, 10) }, finish_reason: null }]),
      chunk([{ index: 1, delta: { content: other.slice(10) }, finish_reason: null }, { index: 0, delta: { content: secret.slice(10) }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }, { index: 1, delta: {}, finish_reason: 'length' }]),
    ]);
    const { out, stream } = run(upstream);
    assert.ok(!leaks(out, secret) && !leaks(out, other));
    const { chunks } = received(out);
    assert.equal(textOf(chunks, 0), '[MASKED:github-token]');
    assert.equal(textOf(chunks, 1), '[MASKED:aws-access-key-id]');
    assert.equal(stream.details().finishReason, 'stop,length');
  });

  it('masks tool-call arguments split across chunks, per tool call', () => {
    const args = JSON.stringify({ command: `deploy --token ${secret}` });
    const cut = args.indexOf(secret) + 12;
    const upstream = sse([
      chunk([{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'shell', arguments: '' } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(0, cut) } }] }, finish_reason: null }]),
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(cut) } }] }, finish_reason: null }]),
      finish(0, 'tool_calls'),
    ]);
    const { out } = run(upstream);
    assert.ok(!leaks(out, secret), out);
    const calls = received(out).chunks.flatMap((c) => (c.choices[0] as { delta: { tool_calls?: Array<{ function: { arguments?: string; name?: string } }> } }).delta.tool_calls ?? []);
    assert.equal(calls[0]!.function.name, 'shell');
    assert.equal(JSON.parse(calls.map((c) => c.function.arguments ?? '').join('')).command, 'deploy --token [MASKED:github-token]');
  });

  it('masks secrets in the other fields of a chunk', () => {
    const key = samples['openai-api-key']!();
    const upstream = sse([chunk([{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: null }], { system_fingerprint: key }), finish()]);
    const { out } = run(upstream);
    assert.ok(!out.includes(key));
  });

  it('passes comments and non-JSON events masked as text', () => {
    const upstream = `: ping ${secret}\n\ndata: not json ${secret}\n\n`;
    const { out } = run(upstream);
    assert.ok(!out.includes(secret));
    assert.match(out, /^: ping \[MASKED:github-token\]\n\ndata: not json \[MASKED:github-token\]\n\n$/);
  });
});

describe('chat stream: what is recorded', () => {
  const usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 };

  it('records model, token usage and finish reason', () => {
    const upstream = sse([{ ...content('hi'), usage: null }, { ...finish(), usage: null }, chunk([], { usage })]);
    const { out, stream } = run(upstream);
    assert.deepEqual(stream.details(), { model: 'gpt-test', promptTokens: 12, completionTokens: 5, totalTokens: 17, finishReason: 'stop' });
    assert.deepEqual(received(out).chunks.at(-1)!.usage, usage, 'the agent asked for usage: it gets it');
  });

  it('removes the usage the gateway asked for itself', () => {
    const upstream = sse([{ ...content('hi'), usage: null }, { ...finish(), usage: null }, chunk([], { usage })]);
    const { out, stream } = run(upstream, [], true);
    const { chunks } = received(out);
    assert.ok(chunks.every((c) => c.choices.length > 0 && !('usage' in c)));
    assert.equal(textOf(chunks), 'hi');
    assert.equal(stream.details().totalTokens, 17);
  });
});

describe('chat stream masking: OpenAI\'s padding (obfuscation)', () => {
  it('passes each chunk its own padding, masks a secret in it, and still masks the text', () => {
    const pad = (c: Chunk, obfuscation: string) => ({ ...c, obfuscation });
    const upstream = sse([pad(content('Hello '), 'a1'), pad(content('there'), 'Zx9q'), pad(content(` ${secret} `), secret), pad(finish(), 'k')]);
    const { out, stream } = run(upstream);
    const { chunks } = received(out);
    const paddings = chunks.map((c) => (c as Chunk & { obfuscation?: string }).obfuscation);
    assert.deepEqual(paddings.slice(0, 2), ['a1', 'Zx9q']);
    assert.equal(paddings.at(-1), 'k');
    assert.ok(!leaks(out, secret));
    assert.match(textOf(chunks), /^Hello there \[MASKED:github-token\] $/);
    assert.ok(stream.findings.some((f) => f.rule === 'github-token' && f.location.startsWith('$.obfuscation')));
  });
});
