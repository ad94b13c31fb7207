// Text deltas masked from their bytes (raw-deltas.ts) give exactly what the full path gives —
// the agent's bytes and the findings — whatever the deltas hold, and only events that differ from
// a learned one in their text and per-event members take that way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker, type Finding } from '../masking/index.js';
import { pushedInPieces, secretSamples, seeded } from '../../test/support/masking.js';
import { LlmSseMasker } from './llm-stream.js';
import { MessageDeltas } from './anthropic/stream.js';
import { ChatDeltas } from './openai/chat-stream.js';
import { ResponseDeltas } from './openai/responses-stream.js';
import { RawDeltas } from './raw-deltas.js';

const masker = createMasker({ pii: { email: true } });
const samples = secretSamples(seeded(11));
const github = samples['github-token']!();
const allow = () => ({ action: 'allow' as const, rule: 'default', reason: '' });

type Handler = ChatDeltas | MessageDeltas | ResponseDeltas;

/** The agent's bytes and the findings for `upstream` cut at `cuts`; `fast`: with text deltas masked from their bytes. */
function run(upstream: string, cuts: number[], fast: boolean, dropUsage = false, make: (findings: Finding[]) => Handler = (findings) => new ChatDeltas(masker, findings, { dropUsage, judge: allow })) {
  let hits = 0;
  const stream = new LlmSseMasker(masker, (findings: Finding[]) => {
    const deltas = make(findings);
    const fromBytes = deltas.fromBytes.bind(deltas);
    return Object.assign(deltas, {
      fromBytes: fast
        ? (name: string | undefined, raw: string) => {
            const out = fromBytes(name, raw);
            if (out !== undefined) hits++;
            return out;
          }
        : undefined,
    });
  });
  const out = pushedInPieces(stream, upstream, cuts);
  return { out, findings: stream.findings, details: stream.details(), hits };
}

/** Texts from PIECES, now and then the secret split over two in a row; rest(): the half a split has yet to send. */
function texts(next: () => number) {
  let rest: string | undefined;
  const take = () => {
    const half = rest;
    rest = undefined;
    return half;
  };
  return {
    next(): string {
      const half = take();
      if (half !== undefined) return half;
      if (next() >= 0.15) return PIECES[Math.floor(next() * PIECES.length)]!;
      const at = 1 + Math.floor(next() * (github.length - 2));
      rest = `${github.slice(at)} `;
      return ` ${github.slice(0, at)}`;
    },
    rest: take,
  };
}

/**
 * Asserts that `upstream`, cut at ten random points, gives the same bytes and findings with text
 * deltas masked from their bytes as without, and leaks no part of the secret; returns the fast run.
 */
function sameBothWays(upstream: string, next: () => number, seed: number, make: (findings: Finding[]) => Handler) {
  const cuts = Array.from({ length: 10 }, () => Math.floor(next() * upstream.length)).sort((a, b) => a - b);
  const full = run(upstream, cuts, false, false, make);
  const fast = run(upstream, cuts, true, false, make);
  assert.equal(fast.out, full.out, `seed ${seed}`);
  assert.deepEqual(fast.findings, full.findings, `seed ${seed}`);
  assert.ok(!fast.out.includes(github.slice(4, 20)), `seed ${seed}: the secret leaked`);
  return fast;
}

const envelope = { id: 'chatcmpl-7', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test', system_fingerprint: 'fp_1' };
const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}, finish: string | null = null) => ({
  ...envelope,
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

/** Deterministic randomness for one case. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
}

const PIECES = ['Hello', ' world', '"quoted"', ' back\\slash', '\n', '\t', ' é', ' 😀', ' \ud83d', 'x\u0001y', ' </script>', ' a@b.example', ' password: ', 'hunter2-Secret!9', ' '];

/** A stream of chat chunks: texts from PIECES and pieces of secrets, OpenAI's padding, now and then an event that differs. */
function stream(seed: number): string {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const secret = github;
  const parts: string[] = [event(chunk({ role: 'assistant', content: '' }, { obfuscation: 'p0' }))];
  // A secret split across two deltas now and then, between spaces.
  let rest: string | undefined;
  for (let i = 0; i < 40; i++) {
    const roll = next();
    const pending = rest;
    let text = pending ?? pick(PIECES);
    rest = undefined;
    if (roll < 0.15 && pending === undefined) {
      const at = 1 + Math.floor(next() * (secret.length - 2));
      text = ` ${secret.slice(0, at)}`;
      rest = `${secret.slice(at)} `;
    }
    const padding = next() < 0.05 ? secret : Math.floor(next() * 1e9).toString(36).slice(0, 1 + (i % 8));
    const extra: Record<string, unknown> = { obfuscation: padding };
    if (roll > 0.97) extra.usage = null;
    const data = chunk({ content: text }, extra);
    if (roll > 0.93 && roll <= 0.95) (data as Record<string, unknown>).model = 'gpt-other';
    if (roll > 0.95 && roll <= 0.97) (data as Record<string, unknown>).id = secret;
    // Written otherwise than JSON.stringify writes it: still JSON, masked the full way.
    parts.push(roll > 0.9 && roll <= 0.93 ? `data: ${JSON.stringify(data).replace('{"id"', '{ "id"')}\n\n` : event(data));
  }
  if (rest !== undefined) parts.push(event(chunk({ content: rest }, { obfuscation: 'rest' })));
  parts.push(event(chunk({}, { obfuscation: 'end' }, 'stop')), 'data: [DONE]\n\n');
  return parts.join('');
}

describe('text deltas masked from their bytes', () => {
  it('give the agent the same bytes and the log the same findings as the full path (200 streams, random network cuts)', () => {
    let hits = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const upstream = stream(seed);
      const next = random(seed * 7919);
      const cuts = Array.from({ length: 12 }, () => Math.floor(next() * upstream.length)).sort((a, b) => a - b);
      for (const dropUsage of [false, true]) {
        const full = run(upstream, cuts, false, dropUsage);
        const fast = run(upstream, cuts, true, dropUsage);
        assert.equal(fast.out, full.out, `seed ${seed}`);
        assert.deepEqual(fast.findings, full.findings, `seed ${seed}`);
        assert.deepEqual(fast.details, full.details, `seed ${seed}`);
        assert.ok(!fast.out.includes(github.slice(4, 20)), `seed ${seed}: the secret leaked`);
        hits += fast.hits;
      }
    }
    // Most deltas of such streams are like the one before them.
    assert.ok(hits > 200 * 2 * 20, `only ${hits} deltas masked from their bytes`);
  });

  it('give the same for Anthropic\'s events: text and thinking blocks, a tool call held whole, an index used again', () => {
    let hits = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const next = random(seed);
      const named = (data: Record<string, unknown>) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
      const parts = [named({ type: 'message_start', message: { id: 'msg_1', model: 'claude-test', usage: { input_tokens: 5 } } })];
      const pieces = texts(next);
      for (const [index, type] of [[0, 'text'], [1, 'thinking'], [2, 'tool_use'], [0, 'text']] as const) {
        const block = type === 'tool_use' ? { type, id: 'toolu_1', name: 'run', input: {} } : { type, [type]: '' };
        parts.push(named({ type: 'content_block_start', index, content_block: block }));
        for (let i = 0; i < 12; i++) {
          if (type === 'tool_use') {
            parts.push(named({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: i === 0 ? '{"cmd":"' : i === 11 ? '"}' : 'ls ' } }));
            continue;
          }
          const text = pieces.next();
          const field = type === 'text' ? 'text' : 'thinking';
          parts.push(named({ type: 'content_block_delta', index, delta: { type: `${field}_delta`, [field]: text } }));
        }
        const rest = type === 'tool_use' ? undefined : pieces.rest();
        if (rest !== undefined) {
          const field = type === 'text' ? 'text' : 'thinking';
          parts.push(named({ type: 'content_block_delta', index, delta: { type: `${field}_delta`, [field]: rest } }));
        }
        parts.push(named({ type: 'content_block_stop', index }));
      }
      parts.push(named({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }), named({ type: 'message_stop' }));
      hits += sameBothWays(parts.join(''), next, seed, (findings) => new MessageDeltas(masker, findings, allow)).hits;
    }
    assert.ok(hits > 100 * 20, `only ${hits} deltas masked from their bytes`);
  });

  it('give the same for Responses API events: renumbered around added deltas, a call held, a stream cut off', () => {
    let hits = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const next = random(seed);
      let seq = 0;
      const parts: string[] = [];
      const send = (type: string, fields: Record<string, unknown>) => {
        const data = { type, sequence_number: seq++, ...fields, ...(next() < 0.8 && { obfuscation: Math.floor(next() * 1e9).toString(36) }) };
        parts.push(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      send('response.created', { response: { id: 'resp_1', object: 'response', model: 'gpt-test', status: 'in_progress', output: [] } });
      const items = [
        { item_id: 'rs_1', output_index: 0, kind: 'response.reasoning_summary_text', extra: { summary_index: 0 } },
        { item_id: 'msg_1', output_index: 1, kind: 'response.output_text', extra: { content_index: 0 } },
      ];
      const pieces = texts(next);
      const cutOff = next() < 0.3;
      for (const item of items) {
        for (let i = 0; i < 12; i++) {
          const delta = pieces.next();
          send(`${item.kind}.delta`, { item_id: item.item_id, output_index: item.output_index, ...item.extra, delta });
          // A function call proposed while the answer streams: held whole until its done.
          if (item.output_index === 1 && i === 4) {
            send('response.output_item.added', { output_index: 2, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'run', arguments: '' } });
            send('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 2, delta: '{"cmd":"ls"}' });
            send('response.output_item.done', { output_index: 2, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'run', arguments: '{"cmd":"ls"}' } });
          }
        }
        const rest = pieces.rest();
        if (rest !== undefined) send(`${item.kind}.delta`, { item_id: item.item_id, output_index: item.output_index, ...item.extra, delta: rest });
        if (!cutOff || item.output_index === 0) send(`${item.kind}.done`, { item_id: item.item_id, output_index: item.output_index, ...item.extra, text: 'whole' });
      }
      if (!cutOff) send('response.completed', { response: { id: 'resp_1', object: 'response', model: 'gpt-test', status: 'completed', output: [], usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } } });
      const fast = sameBothWays(parts.join(''), next, seed, (findings) => new ResponseDeltas(masker, findings, allow));
      // Sequence numbers stay consecutive, the gateway's own deltas included.
      const numbers = [...fast.out.matchAll(/"sequence_number":(\d+)/g)].map((m) => Number(m[1]));
      assert.deepEqual(numbers, numbers.map((_, i) => i), `seed ${seed}`);
      hits += fast.hits;
    }
    assert.ok(hits > 100 * 12, `only ${hits} deltas masked from their bytes`);
  });

  it('takes the full path while a Responses API call is held, even for a delta like a learned one', () => {
    let seq = 0;
    const send = (type: string, fields: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
    const text = (delta: string) => send('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta });
    // An upstream that proposes a call at an index its message used: what comes for that index is the call's.
    const upstream = [
      text('a'),
      text('b'),
      send('response.output_item.added', { output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'run', arguments: '' } }),
      text('c'),
      send('response.output_item.done', { output_index: 0, item: { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'run', arguments: '{}' } }),
    ].join('');
    const make = (findings: Finding[]) => new ResponseDeltas(masker, findings, allow);
    const fast = run(upstream, [], true, false, make);
    assert.equal(fast.out, run(upstream, [], false, false, make).out);
    assert.equal(fast.hits, 1);
  });

  it('takes the full path for an event that differs elsewhere: a secret in its id is masked', () => {
    const upstream = [event(chunk({ content: 'a' }, { obfuscation: 'x' })), event(chunk({ content: 'b' }, { obfuscation: 'y' })), event({ ...chunk({ content: 'c' }, { obfuscation: 'z' }), id: github }), 'data: [DONE]\n\n'].join('');
    const fast = run(upstream, [], true);
    assert.equal(fast.hits, 1);
    assert.ok(!fast.out.includes(github));
    assert.ok(fast.findings.some((f) => f.rule === 'github-token' && f.location.startsWith('$.id')));
  });

  it('learns only an event written as JSON.stringify writes it, and stops learning from a stream whose events never match', () => {
    const members = { perEvent: ['obfuscation'], alone: () => true, own: (_name: string, value: string | number) => value };
    const echo = { push: (_key: string, text: string) => text };
    const at = { key: 'k', path: ['choices', 0, 'delta', 'content'] };
    const spaced = '{ "id": "1", "choices": [{ "delta": { "content": "a" } }] }';
    const compact = JSON.stringify(JSON.parse(spaced));
    const deltas = new RawDeltas(members, echo);
    deltas.learn(spaced, JSON.parse(spaced), at);
    assert.equal(deltas.mask(spaced), undefined);
    deltas.learn(compact, JSON.parse(compact), at);
    for (const text of ['b', 'with "quotes" and \\ and \n', '\u2028', '😀']) {
      const raw = JSON.stringify({ id: '1', choices: [{ delta: { content: text } }] });
      assert.deepEqual(deltas.mask(raw), { key: 'k', data: raw });
    }
    // Not JSON: a raw control character, a number where the text was.
    assert.equal(deltas.mask('{"id":"1","choices":[{"delta":{"content":"a\u0001"}}]}'), undefined);
    assert.equal(deltas.mask('{"id":"1","choices":[{"delta":{"content":5}}]}'), undefined);
    // Eight events that made no template: the stream learns no more.
    const stopped = new RawDeltas(members, echo);
    for (let i = 0; i < 8; i++) stopped.learn(spaced, JSON.parse(spaced), at);
    stopped.learn(compact, JSON.parse(compact), at);
    assert.equal(stopped.mask(compact), undefined);
  });
});
