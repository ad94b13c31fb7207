import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from '../../masking/index.js';
import { secretSamples, seeded } from '../../../test/support/masking.js';
import type { JudgedToolCall, ProposedToolCall, ToolCallVerdict } from '../kind.js';
import { LlmSseMasker } from '../llm-stream.js';
import { SseParser } from '../../masking/index.js';
import { ChatDeltas } from './chat-stream.js';
import { ResponseDeltas } from './responses-stream.js';
import { judgingToolCalls, type JudgedAnswers } from './tool-calls.js';

const masker = createMasker();
const secret = secretSamples(seeded(5))['github-token']!();
type Json = Record<string, any>;

/** Denies `az group delete`, holds `terraform destroy` for review, passes the rest. */
const judge = (call: ProposedToolCall): ToolCallVerdict => {
  const text = JSON.stringify(call.input);
  if (text.includes('az group delete')) return { action: 'deny', rule: 'no-rg', reason: 'not for agents' };
  if (text.includes('terraform destroy')) return { action: 'review', rule: 'hold-tf', reason: 'needs a human', approval: 'llm.0123456789abcdef0123456789abcdef' };
  return { action: 'allow', rule: 'default', reason: '' };
};

const split = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
const parse = (out: string) => {
  const parser = new SseParser();
  return [...parser.push(out), ...parser.end()].filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data!) as Json);
};

function chatStream(command: string) {
  const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };
  const args = JSON.stringify({ command });
  const chunks = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Running it.' }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'shell', arguments: '' } }] }, finish_reason: null }] },
    ...split(args, 3).map((piece) => ({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  ];
  const stream = new LlmSseMasker(masker, (findings) => new ChatDeltas(masker, findings, { dropUsage: false, judge }));
  const out = stream.push(chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n') + stream.end();
  const agent = parse(out);
  const approved = stream.approvedAnswer();
  return { agent, approved: approved === undefined ? undefined : parse(approved) };
}

const chatCalls = (chunks: Json[]) => chunks.flatMap((c) => c.choices.flatMap((ch: Json) => ch.delta?.tool_calls ?? []));
const chatText = (chunks: Json[]) => chunks.flatMap((c) => c.choices.map((ch: Json) => ch.delta?.content ?? '')).join('');
const chatFinish = (chunks: Json[]) => chunks.flatMap((c) => c.choices.map((ch: Json) => ch.finish_reason)).filter(Boolean);

describe('openai tool calls in streamed chat completions', () => {
  it('holds a call until its choice finishes, then passes it whole with its arguments masked', () => {
    const { agent, approved } = chatStream(`deploy --token ${secret}`);
    const calls = chatCalls(agent);
    assert.equal(calls.length, 1);
    assert.deepEqual(JSON.parse(calls[0].function.arguments), { command: 'deploy --token [MASKED:github-token]' });
    assert.equal(calls[0].id, 'call_1');
    assert.deepEqual(chatFinish(agent), ['tool_calls']);
    assert.equal(approved, undefined);
  });

  it('replaces a denied call by content and finishes with stop', () => {
    const { agent } = chatStream('az group delete -n rg --yes');
    assert.deepEqual(chatCalls(agent), []);
    assert.match(chatText(agent), /^Running it\.\[portcullis\].*rule no-rg/);
    assert.deepEqual(chatFinish(agent), ['stop']);
    assert.ok(!JSON.stringify(agent).includes('az group delete -n'));
  });

  it('names the approval for a reviewed call and keeps the answer with the call passed', () => {
    const { agent, approved } = chatStream('terraform destroy -auto-approve');
    assert.deepEqual(chatCalls(agent), []);
    assert.match(chatText(agent), /held as approval llm\.0123456789abcdef0123456789abcdef/);
    assert.deepEqual(chatFinish(agent), ['stop']);
    assert.ok(approved);
    assert.deepEqual(JSON.parse(chatCalls(approved)[0].function.arguments), { command: 'terraform destroy -auto-approve' });
    assert.deepEqual(chatFinish(approved), ['tool_calls']);
  });
});

function responsesStream(command: string) {
  let seq = 0;
  const e = (type: string, fields: Json) => ({ type, sequence_number: seq++, ...fields });
  const args = JSON.stringify({ command });
  const item = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: args, status: 'completed' };
  const events = [
    e('response.created', { response: { id: 'r1', object: 'response', status: 'in_progress', output: [] } }),
    e('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } }),
    ...split(args, 4).map((delta) => e('response.function_call_arguments.delta', { output_index: 0, item_id: 'fc_1', delta })),
    e('response.function_call_arguments.done', { output_index: 0, item_id: 'fc_1', arguments: args }),
    e('response.output_item.done', { output_index: 0, item }),
    e('response.completed', { response: { id: 'r1', object: 'response', status: 'completed', output: [item] } }),
  ];
  const stream = new LlmSseMasker(masker, (findings) => new ResponseDeltas(masker, findings, judge));
  const out = stream.push(events.map((x) => `event: ${x.type}\ndata: ${JSON.stringify(x)}\n\n`).join('')) + stream.end();
  const approved = stream.approvedAnswer();
  return { agent: parse(out), approved: approved === undefined ? undefined : parse(approved) };
}

const finalOutput = (events: Json[]) => events.find((x) => x.type === 'response.completed')!.response.output as Json[];

describe('openai tool calls in streamed responses', () => {
  it('passes an allowed call with its arguments masked, in the events and the final response', () => {
    const { agent } = responsesStream(`deploy --token ${secret}`);
    assert.ok(!JSON.stringify(agent).includes(secret));
    assert.equal(finalOutput(agent)[0]!.type, 'function_call');
    const args = agent.filter((x) => x.type === 'response.function_call_arguments.delta').map((x) => x.delta).join('');
    assert.deepEqual(JSON.parse(args), { command: 'deploy --token [MASKED:github-token]' });
  });

  it('replaces a denied call by a message item, in the events and the final response', () => {
    const { agent } = responsesStream('az group delete -n rg');
    assert.ok(!JSON.stringify(agent).includes('az group delete -n'));
    assert.ok(agent.every((x) => x.item?.type !== 'function_call'));
    assert.equal(finalOutput(agent)[0]!.type, 'message');
    assert.match(agent.find((x) => x.type === 'response.output_text.delta')!.delta, /rule no-rg/);
    const numbers = agent.map((x) => x.sequence_number);
    assert.deepEqual(numbers, numbers.map((_, i) => i), 'sequence numbers stay consecutive');
  });

  it('keeps the answer with a reviewed call passed', () => {
    const { agent, approved } = responsesStream('terraform destroy');
    assert.equal(finalOutput(agent)[0]!.type, 'message');
    assert.ok(approved);
    assert.equal(finalOutput(approved)[0]!.type, 'function_call');
  });
});

describe('openai tool calls in whole answers', () => {
  const answerWith = (command: string) =>
    JSON.stringify({
      object: 'chat.completion',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'shell', arguments: JSON.stringify({ command }) } }] } }],
    });

  it('judges chat tool calls and Responses items, keeping the approved version for a review', () => {
    const out: JudgedAnswers = { judged: [] };
    const wrapped = judgingToolCalls(masker, judge, out);
    const denied = JSON.parse(wrapped.auto(answerWith('az group delete -n x'), 'application/json').text);
    assert.equal(denied.choices[0].finish_reason, 'stop');
    assert.equal(denied.choices[0].message.tool_calls, undefined);
    assert.match(denied.choices[0].message.content, /rule no-rg/);
    const reviewed = JSON.parse(wrapped.auto(answerWith('terraform destroy'), 'application/json').text);
    assert.match(reviewed.choices[0].message.content, /held as approval/);
    assert.equal(JSON.parse(out.approved!).choices[0].finish_reason, 'tool_calls');
    const response = JSON.parse(wrapped.auto(JSON.stringify({ object: 'response', output: [{ type: 'function_call', id: 'fc', name: 'shell', arguments: '{"command":"az group delete"}' }] }), 'application/json').text);
    assert.equal(response.output[0].type, 'message');
    assert.deepEqual(out.judged.map((j: JudgedToolCall) => j.action), ['deny', 'review', 'deny']);
  });
});
