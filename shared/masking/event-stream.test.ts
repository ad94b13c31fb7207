import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { NdjsonMasker } from './ndjson.js';
import { createMasker } from './index.js';
import { SseMasker } from './sse.js';
import type { StreamMasker } from './stream.js';
import { pemKey, secretSamples } from '../../test/support/masking.js';

const masker = createMasker();

function split(make: () => StreamMasker, input: string, cut: number): string {
  const s = make();
  return s.push(input.slice(0, cut)) + s.push(input.slice(cut)) + s.end();
}

const pieces = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe('SSE masked event by event', () => {
  it('masks a PEM key over several data lines at every split point', () => {
    const key = pemKey();
    const body = key.split('\n').slice(1, -2);
    const input = `event: file\n${key.split('\n').map((l) => `data: ${l}`).join('\n')}\n\ndata: after\n\n`;
    for (let cut = 0; cut <= input.length; cut += 5) {
      const out = split(() => new SseMasker(masker), input, cut);
      assert.ok(!body.some((line) => out.includes(line)), `split at ${cut}: ${out}`);
      assert.match(out, /^event: file\ndata: \[MASKED:private-key\]/);
      assert.ok(out.endsWith('data: after\n\n'));
    }
  });

  it('masks a PEM key over raw continuation lines of an event', () => {
    const key = pemKey('pkcs1');
    const input = `data: ${key}\n\n`;
    const out = split(() => new SseMasker(masker), input, 40);
    assert.ok(!key.split('\n').slice(1, -2).some((line) => out.includes(line)), out);
  });

  it('masks a secret split over Anthropic content_block_delta events at every split point', () => {
    const token = secretSamples()['github-token']!();
    const text = `key ${token} ok`;
    const input =
      pieces(text, 3).map((t) => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } })}\n\n`).join('') +
      `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n`;
    for (let cut = 0; cut <= input.length; cut += 7) {
      const out = split(() => new SseMasker(masker), input, cut);
      const joined = out
        .split('\n')
        .filter((l) => l.startsWith('data: {"type":"content_block_delta"'))
        .map((l) => (JSON.parse(l.slice(6)) as { delta: { text: string } }).delta.text)
        .join('');
      assert.equal(joined, 'key [MASKED:github-token] ok', `split at ${cut}`);
      assert.ok(out.trimEnd().endsWith('data: {"type":"content_block_stop","index":0}'));
    }
  });
});

describe('token streams of other shapes: a secret split over their deltas is masked', () => {
  const text = (token: string) => `key ${token} ok`;
  // Each shape: its delta events for the pieces, the event that ends the text, and how to read a delta's text back.
  const shapes: [string, (piece: string) => unknown, unknown, (data: Record<string, any>) => string | undefined][] = [
    ['OpenAI Assistants', (t) => ({ id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: t } }] } }),
      { id: 'msg_1', object: 'thread.message', status: 'completed' }, (d) => d.delta?.content?.[0]?.text?.value],
    ['Cohere v2', (t) => ({ type: 'content-delta', index: 0, delta: { message: { content: { text: t } } } }), { type: 'content-end', index: 0 }, (d) => d.delta?.message?.content?.text],
    ['Bedrock ConverseStream', (t) => ({ contentBlockDelta: { delta: { text: t }, contentBlockIndex: 0 } }), { contentBlockStop: { contentBlockIndex: 0 } }, (d) => d.contentBlockDelta?.delta?.text],
  ];
  for (const [name, delta, end, read] of shapes) {
    it(name, () => {
      const token = secretSamples()['github-token']!();
      const input = pieces(text(token), 4).map((t) => `data: ${JSON.stringify(delta(t))}\n\n`).join('') + `data: ${JSON.stringify(end)}\n\n`;
      for (let cut = 0; cut <= input.length; cut += 11) {
        const out = split(() => new SseMasker(masker), input, cut);
        const joined = out.split('\n').filter((l) => l.startsWith('data: ')).map((l) => read(JSON.parse(l.slice(6))) ?? '').join('');
        assert.equal(joined, 'key [MASKED:github-token] ok', `${name}, split at ${cut}: ${out}`);
      }
    });
  }
});

describe('a key block past the rules\' reach, in a whole text', () => {
  it('is masked whole in text mode and in a JSON string, as a stream masks it (an RSA-16384 key is about 13 KB)', () => {
    for (const size of [13_000, 70_000]) {
      const lines = body(size);
      const text = `key:\n-----BEGIN RSA PRIVATE KEY-----\n${lines}\n-----END RSA PRIVATE KEY-----\nafter`;
      const whole = masker.text(text);
      assert.equal(whole.text, 'key:\n[MASKED:private-key]\nafter');
      assert.deepEqual(whole.findings.map((f) => f.rule), ['private-key']);
      const s = masker.stream();
      assert.equal(s.push(text) + s.end(), whole.text);
      assert.equal(masker.auto(JSON.stringify({ key: text })).text, JSON.stringify({ key: whole.text }));
    }
  });
});

describe('a long hold is released by the piece that ends it, not by later ones', () => {
  it('a base64 run ended by a line end, a key block by its END line', () => {
    const blob = randomBytes(975).toString('base64');
    const s = masker.stream();
    assert.equal(s.push(`INFO upload ${blob}`), 'INFO upload ');
    assert.equal(s.push('\n'), `${blob}\n`);
    const key = pemKey();
    const [head, ...rest] = key.split('\n');
    const k = masker.stream();
    k.push(`${head}\n${rest.slice(0, -2).join('\n')}\n`);
    assert.equal(k.push(`${rest.at(-2)}\n${rest.at(-1)}\nready\n`), '[MASKED:private-key]\nready\n');
  });
});

describe('an event stream read whole (auto with its content type) is masked as it is streamed', () => {
  it('a secret split over deltas is joined, as the streaming masker joins it', () => {
    const token = secretSamples()['github-token']!();
    const sse = pieces(`key ${token} ok`, 3).map((t) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] })}\n\n`).join('') + 'data: [DONE]\n\n';
    const out = masker.auto(sse, 'Text/Event-Stream; charset=utf-8');
    assert.equal(out.text, split(() => new SseMasker(masker), sse, 0));
    const joined = out.text.split('\n').filter((line) => line.startsWith('data: {')).map((line) => (JSON.parse(line.slice(6)) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content).join('');
    assert.equal(joined, 'key [MASKED:github-token] ok');
    assert.deepEqual(out.findings.map((f) => f.rule), ['github-token']);
  });

  it('a JSON document labelled as an event stream is masked as JSON; NDJSON records are not joined', () => {
    const token = secretSamples()['github-token']!();
    const error = JSON.stringify({ error: { message: 'bad request', file: Buffer.from(`export GITHUB_TOKEN=${token}\n`).toString('base64') } });
    assert.equal(masker.auto(error, 'text/event-stream').text, masker.auto(error, 'application/json').text);
    assert.ok(!masker.auto(error, 'text/event-stream').text.includes(Buffer.from(`export GITHUB_TOKEN=${token}\n`).toString('base64')));
    const key = secretSamples()['aws-access-key-id']!();
    const bulk = `{"index":{}}\n{"text":"rotate ${key}"}\n{"index":{}}\n{"text":"Xyz follow-up note"}\n`;
    const out = masker.auto(bulk, 'application/x-ndjson');
    assert.ok(!out.text.includes(key), out.text);
    assert.equal(out.text.split('\n').length, bulk.split('\n').length);
  });
});

describe('records that only have a text are each their own, not pieces of one stream', () => {
  it('NDJSON and SSE: a secret at one record\'s end is not run into the next, and the records stay as they came', () => {
    const key = secretSamples()['aws-access-key-id']!();
    const records = [{ index: {} }, { text: `rotate ${key}` }, { index: {} }, { text: 'Xyz follow-up note' }];
    const ndjson = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const sse = records.map((r) => `data: ${JSON.stringify(r)}\n\n`).join('');
    for (const [input, make] of [[ndjson, () => new NdjsonMasker(masker)], [sse, () => new SseMasker(masker)]] as const) {
      for (let cut = 0; cut <= input.length; cut += 9) {
        const out = split(make, input, cut);
        assert.ok(!out.includes(key), `split at ${cut}: ${out}`);
        assert.equal(out, input.replace(key, '[MASKED:aws-access-key-id]'), `split at ${cut}`);
      }
    }
  });
});

describe('NDJSON masked line by line', () => {
  it('masks a secret split over Ollama token lines at every split point', () => {
    const token = secretSamples()['aws-access-key-id']!();
    const text = `id ${token} done`;
    const input = [...pieces(text, 2).map((t) => JSON.stringify({ response: t, done: false })), JSON.stringify({ response: '', done: true })].join('\n') + '\n';
    for (let cut = 0; cut <= input.length; cut += 3) {
      const out = split(() => new NdjsonMasker(masker), input, cut);
      const lines = out.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { response: string; done: boolean });
      assert.equal(lines.map((l) => l.response).join(''), 'id [MASKED:aws-access-key-id] done', `split at ${cut}`);
      assert.equal(lines.at(-1)!.done, true);
    }
  });

  it('sends held text in the line that ends its text, even when that line starts it', () => {
    const token = secretSamples()['github-token']!();
    const input = `${JSON.stringify({ message: { role: 'assistant', content: `all: ${token}` }, done: true })}\n`;
    const out = split(() => new NdjsonMasker(masker), input, 0);
    assert.deepEqual(JSON.parse(out), { message: { role: 'assistant', content: 'all: [MASKED:github-token]' }, done: true });
  });

  it('keeps large integers of lines without streamed text byte for byte', () => {
    const input = '{"id":12345678901234567890,"status":"ok"}\n';
    assert.equal(split(() => new NdjsonMasker(masker), input, 10), input);
  });
});

describe('base64 text in JSON', () => {
  const file = (secret: string) => `# env of the deploy job, kept out of the repository\nTOKEN=${secret}\n`;
  const github = (text: string) => (Buffer.from(text).toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';

  it('decodes, masks and re-encodes a GitHub contents body, in JSON text and parsed JSON', () => {
    const secret = secretSamples()['github-token']!();
    const body = JSON.stringify({ content: github(file(secret)), encoding: 'base64' });
    for (const content of [
      (JSON.parse(masker.auto(body).text) as { content: string }).content,
      (masker.json(JSON.parse(body)).value as { content: string }).content,
      (JSON.parse(masker.auto(JSON.stringify({ content: Buffer.from(file(secret)).toString('base64') })).text) as { content: string }).content,
    ]) {
      assert.equal(Buffer.from(content, 'base64').toString(), file('[MASKED:github-token]'));
    }
    assert.match((JSON.parse(masker.auto(body).text) as { content: string }).content, /^[A-Za-z0-9+/]{60}\n/);
    assert.equal(masker.auto(body).findings.length, 1);
  });

  it('leaves base64 of binary data and of clean text as it is', () => {
    for (const content of [randomBytes(300).toString('base64'), github('nothing secret here\n')]) {
      const body = JSON.stringify({ content });
      assert.equal(masker.auto(body).text, body);
    }
  });
});

const body = (length: number) => (randomBytes(length).toString('base64').slice(0, length).match(/.{1,64}/g) ?? []).join('\n');

describe('private key blocks in streamed text', () => {
  const leaked = (lines: string, out: string) => lines.split('\n').filter((line) => line.length > 30 && out.includes(line)).length;

  it('masks a block whole at every split point, with comments between its lines and a body past the rules reach', () => {
    for (const [lines, sep] of [[body(3000), '\n# note\n'], [body(12000), '\n']] as const) {
      const input = `before\n-----BEGIN PRIVATE KEY-----\n${lines.split('\n').join(sep)}\n-----END PRIVATE KEY-----\nafter`;
      for (let cut = 0; cut <= input.length; cut += 97) {
        const out = split(() => masker.stream(), input, cut);
        assert.equal(leaked(lines, out), 0, `split at ${cut}`);
        assert.ok(out.startsWith('before\n[MASKED:private-key]'), out.slice(0, 80));
        // (Past the rules' reach the private-key rule's own match runs on over the word after.)
        if (sep !== '\n') assert.ok(out.endsWith('\nafter'), `split at ${cut}: ${out.slice(-80)}`);
      }
    }
  });

  it('fails closed past its hold limit: what was held and what follows up to END are masked', () => {
    const lines = body(100_000);
    const input = `-----BEGIN RSA PRIVATE KEY-----\n${lines.split('\n').join('\n# x\n')}\n-----END RSA PRIVATE KEY-----\nvisible`;
    const s = masker.stream();
    let out = '';
    for (const piece of pieces(input, 1000)) out += s.push(piece);
    out += s.end();
    assert.equal(leaked(lines, out), 0);
    assert.ok(out.endsWith('\nvisible'));
  });

  it('leaves a documentation example of a block, as a whole text does, however it is split', () => {
    const input = 'Your key file looks like this:\n-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\nand <your key> goes in:\n-----BEGIN RSA PRIVATE KEY-----\n<your key>\n-----END RSA PRIVATE KEY-----\n';
    assert.equal(masker.text(input).text, input);
    for (let cut = 0; cut <= input.length; cut += 7) assert.equal(split(() => masker.stream(), input, cut), input, `split at ${cut}`);
  });

  it('past its hold limit, in pieces of any size, comes out as the whole text does: one marker, one finding, what follows END kept', () => {
    // The END line may begin in a piece already sent: once, it was never found, every later piece
    // was masked (a marker and a finding each) and the rest of the stream lost.
    const lines = body(70_000);
    const input = `key:\n-----BEGIN RSA PRIVATE KEY-----\n${lines}\n-----END RSA PRIVATE KEY-----\nvisible after`;
    const whole = masker.stream();
    const expected = whole.push(input) + whole.end();
    assert.equal(expected, 'key:\n[MASKED:private-key]\nvisible after');
    for (const size of [1, 3, 29, 1000]) {
      const s = masker.stream();
      let out = '';
      for (const piece of pieces(input, size)) out += s.push(piece);
      out += s.end();
      assert.equal(out, expected, `pieces of ${size}`);
      assert.equal(s.findings.length, 1, `pieces of ${size}`);
    }
  });
});
