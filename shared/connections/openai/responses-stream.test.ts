import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { secretSamples, seeded } from '../../../test/support/masking.js';
import { ResponseDeltas } from './responses-stream.js';
import { SseParser } from '../../masking/index.js';
import { LlmSseMasker } from '../llm-stream.js';

const masker = createMasker();
const secret = secretSamples(seeded(11))['slack-token']!();

type Event = Record<string, unknown> & { type: string; sequence_number: number };

function upstream(parts: string[], fullText: string): string {
  let seq = 0;
  const event = (type: string, fields: Record<string, unknown>) => ({ type, sequence_number: seq++, ...fields });
  const response = (status: string, extra: Record<string, unknown> = {}) => ({ id: 'resp_1', object: 'response', model: 'gpt-test', status, output: [], ...extra });
  const at = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  const events = [
    event('response.created', { response: response('in_progress') }),
    ...parts.map((delta) => event('response.output_text.delta', { ...at, delta })),
    event('response.output_text.done', { ...at, text: fullText }),
    event('response.completed', {
      response: response('completed', {
        output: [{ type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: fullText }] }],
        usage: { input_tokens: 9, output_tokens: 4, total_tokens: 13 },
      }),
    }),
  ];
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

function run(text: string) {
  const stream = new LlmSseMasker(masker, (findings) => new ResponseDeltas(masker, findings, () => ({ action: 'allow', rule: 'default', reason: '' })));
  const out = stream.push(text) + stream.end();
  const parser = new SseParser();
  const events = [...parser.push(out), ...parser.end()];
  return { out, stream, events: events.map((e) => ({ name: e.event, data: JSON.parse(e.data!) as Event })) };
}

describe('responses stream masking', () => {
  const before = 'token: ';
  const after = ' (rotate it)';
  const full = before + secret + after;

  it('never leaks a secret split across text deltas (every split point)', () => {
    for (let k = 1; k < secret.length; k++) {
      const { out, events } = run(upstream([before + secret.slice(0, k), secret.slice(k) + after], full));
      assert.ok(!out.includes(secret.slice(0, 12)) && !out.includes(secret.slice(-12)), `split at ${k}`);
      const streamed = events.filter((e) => e.data.type === 'response.output_text.delta').map((e) => e.data.delta).join('');
      assert.equal(streamed, `${before}[MASKED:slack-token]${after}`, `split at ${k}`);
    }
  });

  it('sends held text in one more delta before the done event, keeping sequence numbers consecutive', () => {
    const { events } = run(upstream([before, secret.slice(0, 30), secret.slice(30)], full));
    const types = events.map((e) => e.data.type);
    const done = types.indexOf('response.output_text.done');
    assert.equal(types[done - 1], 'response.output_text.delta');
    assert.deepEqual(events.map((e) => e.data.sequence_number), events.map((_, i) => i));
    assert.ok(events.every((e) => e.name === e.data.type), 'event names follow the types');
  });

  it('masks the whole text repeated in done and completed events', () => {
    const { events } = run(upstream([full], full));
    const done = events.find((e) => e.data.type === 'response.output_text.done')!;
    assert.equal(done.data.text, `${before}[MASKED:slack-token]${after}`);
    const completed = events.at(-1)!.data as unknown as { response: { output: Array<{ content: Array<{ text: string }> }> } };
    assert.equal(completed.response.output[0]!.content[0]!.text, `${before}[MASKED:slack-token]${after}`);
  });

  it('records model, usage and how the response ended', () => {
    const { stream } = run(upstream(['hello'], 'hello'));
    assert.deepEqual(stream.details(), { model: 'gpt-test', promptTokens: 9, completionTokens: 4, totalTokens: 13, finishReason: 'completed' });
  });
});
