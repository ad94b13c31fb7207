import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { secretSamples, seeded } from '../../../test/support/masking.js';
import type { ProposedToolCall, ToolCallVerdict } from '../kind.js';
import { LlmSseMasker } from '../llm-stream.js';
import { SseParser } from '../../masking/index.js';
import { MessageDeltas } from './stream.js';

const masker = createMasker();
const secret = secretSamples(seeded(11))['github-token']!();

type Event = { type: string; index?: number; delta?: Record<string, unknown>; content_block?: Record<string, unknown> } & Record<string, unknown>;

const allowAll = (): ToolCallVerdict => ({ action: 'allow', rule: 'default', reason: '' });

function run(events: Event[], judge: (call: ProposedToolCall) => ToolCallVerdict = allowAll, options: { cut?: boolean; split?: number } = {}) {
  let deltas!: MessageDeltas;
  const stream = new LlmSseMasker(masker, (findings) => (deltas = new MessageDeltas(masker, findings, judge)));
  const upstream = events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
  let out = '';
  const step = options.split ?? upstream.length;
  for (let at = 0; at < upstream.length; at += step) out += stream.push(upstream.slice(at, at + step));
  out += stream.end();
  const parser = new SseParser();
  const received = [...parser.push(out), ...parser.end()].map((e) => JSON.parse(e.data!) as Event);
  return { received, deltas, stream };
}

const start: Event = { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-test', content: [], usage: { input_tokens: 5, output_tokens: 1 } } };
const textBlock = (index: number, pieces: string[], type = 'text'): Event[] => [
  { type: 'content_block_start', index, content_block: type === 'thinking' ? { type, thinking: '', signature: '' } : { type, text: '' } },
  ...pieces.map((piece) => ({ type: 'content_block_delta', index, delta: type === 'thinking' ? { type: 'thinking_delta', thinking: piece } : { type: 'text_delta', text: piece } })),
  { type: 'content_block_stop', index },
];
const toolBlock = (index: number, name: string, pieces: string[]): Event[] => [
  { type: 'content_block_start', index, content_block: { type: 'tool_use', id: `toolu_${index}`, name, input: {} } },
  ...pieces.map((piece) => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } })),
  { type: 'content_block_stop', index },
];
const end = (reason: string): Event[] => [{ type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage: { output_tokens: 20 } }, { type: 'message_stop' }];

const split = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
const textOf = (events: Event[], index: number, field = 'text') =>
  events.filter((e) => e.type === 'content_block_delta' && e.index === index).map((e) => String(e.delta![field] ?? '')).join('');
const leaks = (text: string) => {
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) return true;
  return false;
};

describe('anthropic stream masking', () => {
  const sentence = `The token is ${secret} - keep it.`;

  it('never leaks a secret split across any number of text_delta events, in any chunking of the bytes', () => {
    for (const size of [1, 2, 3, 5, 8, 13, 40]) {
      for (const bytes of [undefined, 7]) {
        const { received } = run([start, ...textBlock(0, split(sentence, size)), ...end('end_turn')], allowAll, { split: bytes });
        const text = textOf(received, 0);
        assert.equal(text, 'The token is [MASKED:github-token] - keep it.', `pieces of ${size}`);
        assert.ok(!leaks(JSON.stringify(received)));
        // What a block held goes out before its stop.
        const stop = received.findIndex((e) => e.type === 'content_block_stop');
        assert.ok(received.slice(stop).every((e) => e.type !== 'content_block_delta'));
      }
    }
  });

  it('masks thinking text per delta and passes the signature as it came', () => {
    const signature = 'EqQBCkgIARABGAIiQL' + 'x'.repeat(40);
    const { received } = run([
      start,
      ...textBlock(0, split(`I recall ${secret} from the file.`, 3), 'thinking').slice(0, -1),
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature } },
      { type: 'content_block_stop', index: 0 },
      ...textBlock(1, ['done']),
      ...end('end_turn'),
    ]);
    assert.equal(textOf(received, 0, 'thinking'), 'I recall [MASKED:github-token] from the file.');
    assert.equal(received.find((e) => e.delta?.type === 'signature_delta')!.delta!.signature, signature);
    assert.ok(!leaks(JSON.stringify(received)));
    // The thinking text the masker held back comes before the signature, in the order the upstream sent them.
    const kinds = received.filter((e) => e.index === 0 && e.type === 'content_block_delta').map((e) => e.delta!.type);
    assert.equal(kinds.at(-1), 'signature_delta');
  });

  it('holds a tool call until it is complete, then passes it with its input masked as JSON (split across input_json_delta events)', () => {
    const input = JSON.stringify({ command: `deploy --token ${secret}` });
    const calls: ProposedToolCall[] = [];
    const { received, deltas } = run([start, ...textBlock(0, ['Running it.']), ...toolBlock(1, 'Bash', split(input, 2)), ...end('tool_use')], (call) => {
      calls.push(call);
      return allowAll();
    });
    assert.deepEqual(calls, [{ name: 'Bash', input: { command: `deploy --token ${secret}` } }], 'judged on the whole input as the model wrote it');
    const tool = received.filter((e) => e.index === 1);
    assert.deepEqual(tool.map((e) => e.type), ['content_block_start', 'content_block_delta', 'content_block_stop']);
    assert.deepEqual(JSON.parse(String(tool[1]!.delta!.partial_json)), { command: 'deploy --token [MASKED:github-token]' });
    assert.equal(received.find((e) => e.type === 'message_delta')!.delta!.stop_reason, 'tool_use');
    assert.ok(!leaks(JSON.stringify(received)));
    assert.deepEqual(deltas.judged, [{ name: 'Bash', action: 'allow', rule: 'default', reason: '' }]);
  });

  it('replaces a denied tool call by a text block at its index and ends the turn', () => {
    const input = JSON.stringify({ command: 'az group delete --name rg-prod --yes' });
    const { received, deltas } = run([start, ...textBlock(0, ['Cleaning up.']), ...toolBlock(1, 'Bash', split(input, 3)), ...end('tool_use')], () => ({
      action: 'deny',
      rule: 'no-rg-delete',
      reason: 'Deleting resource groups is not for agents',
    }));
    assert.ok(!JSON.stringify(received).includes('az group delete'));
    const block = received.find((e) => e.type === 'content_block_start' && e.index === 1)!;
    assert.equal(block.content_block!.type, 'text');
    assert.match(textOf(received, 1), /denies \(rule no-rg-delete\)\. Deleting resource groups is not for agents\./);
    assert.equal(received.find((e) => e.type === 'message_delta')!.delta!.stop_reason, 'end_turn');
    assert.equal(deltas.judged[0]!.action, 'deny');
  });

  it('keeps stop_reason tool_use when another call passes', () => {
    const judge = (call: ProposedToolCall): ToolCallVerdict => (call.name === 'Bash' ? { action: 'deny', rule: 'r', reason: 'no' } : allowAll());
    const { received } = run([start, ...toolBlock(0, 'Bash', ['{"command":"rm -rf /"}']), ...toolBlock(1, 'Read', ['{"path":"a"}']), ...end('tool_use')], judge);
    assert.deepEqual(received.filter((e) => e.type === 'content_block_start').map((e) => e.content_block!.type), ['text', 'tool_use']);
    assert.equal(received.find((e) => e.type === 'message_delta')!.delta!.stop_reason, 'tool_use');
  });

  it('never sends a tool call cut off before its stop, and still sends the text held when the stream ends early', () => {
    const { received } = run([start, ...textBlock(0, split(sentence, 4)).slice(0, -1)], allowAll, {});
    assert.equal(textOf(received, 0), 'The token is [MASKED:github-token] - keep it.');
    const cut = run([start, ...toolBlock(0, 'Bash', ['{"command":"deploy"}']).slice(0, -1)]);
    assert.ok(cut.received.every((e) => e.type !== 'content_block_start' && e.type !== 'content_block_delta'));
  });

  it('records the model, usage and stop reason', () => {
    const { stream } = run([start, ...textBlock(0, ['hi']), ...end('end_turn')]);
    assert.deepEqual(stream.details(), { promptTokens: 5, completionTokens: 20, model: 'claude-test', finishReason: 'end_turn' });
  });
});
