import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SSE_LINE } from '../masking/index.js';
import { SseOverflow, SseParser, serializeEvent, type SseEvent } from './sse.js';

const parseAll = (pieces: string[]): SseEvent[] => {
  const parser = new SseParser();
  return [...pieces.flatMap((p) => parser.push(p)), ...parser.end()];
};

describe('sse parser', () => {
  const text = 'event: response.output_text.delta\ndata: {"a":1}\n\n: keep-alive\n\ndata: line one\ndata: line two\nid: 7\n\ndata: [DONE]\n\n';
  const expected: SseEvent[] = [
    { event: 'response.output_text.delta', data: '{"a":1}', other: [] },
    { other: [': keep-alive'] },
    { data: 'line one\nline two', other: ['id: 7'] },
    { data: '[DONE]', other: [] },
  ];

  it('parses events, comments, multi-line data and other fields', () => {
    assert.deepEqual(parseAll([text]), expected);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    for (let i = 0; i <= text.length; i++) {
      for (const j of [i, Math.min(text.length, i + 1), Math.min(text.length, i + 7)]) {
        assert.deepEqual(parseAll([text.slice(0, i), text.slice(i, j), text.slice(j)]), expected, `split at ${i}, ${j}`);
      }
    }
  });

  it('reads CRLF and CR line endings, even split between chunks', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    for (let i = 0; i <= crlf.length; i++) assert.deepEqual(parseAll([crlf.slice(0, i), crlf.slice(i)]), expected, `split at ${i}`);
    assert.deepEqual(parseAll([text.replace(/\n/g, '\r')]), expected);
  });

  it('ends an event the stream ended without its blank line', () => {
    assert.deepEqual(parseAll(['data: {"last":true}']), [{ data: '{"last":true}', other: [] }]);
  });

  it('refuses to hold an event larger than the limit', () => {
    const parser = new SseParser();
    assert.throws(() => {
      for (let i = 0; i < 20; i++) parser.push(`data: ${'x'.repeat(MAX_SSE_LINE / 16)}\n`);
    }, SseOverflow);
  });

  it('writes events back in the wire format', () => {
    assert.equal(serializeEvent(expected[0]!), 'event: response.output_text.delta\ndata: {"a":1}\n\n');
    assert.equal(serializeEvent(expected[2]!), 'id: 7\ndata: line one\ndata: line two\n\n');
    assert.deepEqual(parseAll([expected.map(serializeEvent).join('')]), expected);
  });
});
