import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker, maskByteStream, MAX_SECRET_LENGTH, type Masker } from './index.js';
import { ALNUM, opensshKey, pemKey, pick, randomFrom, secretSamples, seeded, type Random } from '../../test/support/masking.js';

const ALL_PII = { email: true, phone: true, card: true, iban: true, ssn: true, ip: true };
const masker = createMasker({ pii: ALL_PII });

const FILLER = ['the build', 'passed;', 'token usage', 'see', 'key: value', '\n', 'a', '"', '{', 'user', 'at', '10', ':', '  ', 'é', '😀', 'password', 'secret', 'Bearer', '-----'];

/** Text mixing filler, near-miss words and every kind of value the engine masks. */
function corpus(random: Random): string {
  const samples = secretSamples(random);
  const values = [
    ...Object.values(samples).map((make) => make()),
    'bob.smith@example.org',
    'git@github.com:org/repo.git',
    'ssh://git@github.com/org/repo',
    '4111 1111 1111 1111',
    '+1 415 555 2671',
    '(415) 555-2671',
    '123-45-6789',
    'GB82 WEST 1234 5698 7654 32',
    '10.20.30.40',
    'fe80::1ff:fe23:4567:890a',
    '-0.4539876512345678',
    '4111111111111111.5',
    '12.345 678.9012',
    '1.5e+4111111111111111',
    `password="${randomFrom(ALNUM, 14, random)}9!"`,
    `postgres://app:${randomFrom(ALNUM, 12, random)}@db.internal:5432/orders`,
    `https://deploy:${randomFrom(ALNUM, 12, random)}@git.example.com/repo.git`,
    `Authorization: Bearer ${randomFrom(ALNUM, 32, random)}`,
    `Server=tcp:x.database.windows.net;Database=d;User ID=u;Password=${randomFrom(ALNUM, 12, random)};`,
  ];
  const parts: string[] = [];
  for (let i = 0; i < 12; i++) parts.push(random() < 0.5 ? pick(values, random) : pick(FILLER, random));
  return parts.join(pick([' ', '\n', ', ', ''], random));
}

function streamed(m: Masker, chunks: string[]): { text: string; findings: unknown[]; maxHeld: number } {
  const s = m.stream();
  let out = '';
  let fed = 0;
  let maxHeld = 0;
  for (const chunk of chunks) {
    out += s.push(chunk);
    fed += chunk.length;
    maxHeld = Math.max(maxHeld, fed - out.length);
  }
  out += s.end();
  return { text: out, findings: s.findings, maxHeld };
}

describe('stream masking', () => {
  it('gives the batch result for every split point of many inputs', () => {
    const random = seeded(7);
    for (let n = 0; n < 60; n++) {
      const input = corpus(random);
      const batch = masker.text(input);
      for (let cut = 0; cut <= input.length; cut++) {
        const result = streamed(masker, [input.slice(0, cut), input.slice(cut)]);
        if (result.text !== batch.text) {
          assert.equal(result.text, batch.text, `input ${JSON.stringify(input)} split at ${cut}`);
        }
      }
    }
  });

  it('holds an address until what follows its colon says whether it is a remote (git@host:path), at every split point', () => {
    const input = 'origin git@github.com:org/repo.git (fetch)\nmail bob@example.org: thanks, or bob@example.org:x';
    const batch = masker.text(input);
    assert.deepEqual(batch.findings.map((f) => f.rule), ['pii-email']);
    for (let cut = 0; cut <= input.length; cut++) assert.equal(streamed(masker, [input.slice(0, cut), input.slice(cut)]).text, batch.text, `split at ${cut}`);
  });

  it('gives the batch result when fed in random chunks, one character at a time included', () => {
    const random = seeded(11);
    for (let n = 0; n < 200; n++) {
      const input = corpus(random);
      const batch = masker.text(input);
      const chunks: string[] = [];
      for (let at = 0; at < input.length; ) {
        const size = random() < 0.3 ? 1 : 1 + Math.floor(random() * 40);
        chunks.push(input.slice(at, at + size));
        at += size;
      }
      const result = streamed(masker, chunks);
      assert.equal(result.text, batch.text, JSON.stringify(input));
      assert.deepEqual(result.findings.map((f) => (f as { hash: string }).hash), batch.findings.map((f) => f.hash));
    }
  });

  it('masks PEM and OpenSSH private keys split anywhere', () => {
    const input = `key:\n${pemKey()}\nand\n${opensshKey()}\ndone`;
    const batch = masker.text(input);
    assert.ok(!batch.text.includes('PRIVATE KEY-----\nMII'));
    for (let cut = 1; cut < input.length; cut += 7) {
      assert.equal(streamed(masker, [input.slice(0, cut), input.slice(cut)]).text, batch.text);
    }
  });

  it('holds a match that reaches past its secret, across blanks, until it can end', () => {
    const pw = randomFrom(ALNUM, 12) + '7';
    for (const text of [`Server=db;Password=${pw}   ;Database=shop`, `pwd = ${pw}\n;`]) {
      const batch = masker.text(text).text;
      assert.ok(!batch.includes(pw), batch);
      for (let cut = 1; cut < text.length; cut++) assert.equal(streamed(masker, [text.slice(0, cut), text.slice(cut)]).text, batch, `split at ${cut}`);
    }
  });

  it('passes plain prose on at once, holding back at most the last word', () => {
    const s = masker.stream();
    assert.equal(s.push('Hello there, how are you today? '), 'Hello there, how are you today? ');
    assert.equal(s.push('Fine thanks'), 'Fine ');
    assert.equal(s.end(), 'thanks');
  });

  it('holds back no more than MAX_SECRET_LENGTH, even for an endless token', () => {
    const s = masker.stream();
    let held = 0;
    let fed = 0;
    let all = '';
    let emitted = 0;
    for (let i = 0; i < 200; i++) {
      const chunk = randomFrom('abcdefghijklmnopqrstuvwxyz', 1000);
      all += chunk;
      emitted += s.push(chunk).length;
      fed += chunk.length;
      held = Math.max(held, fed - emitted);
    }
    emitted += s.end().length;
    assert.ok(held <= MAX_SECRET_LENGTH + 1000, `held ${held}`);
    assert.equal(emitted, all.length);
  });

  it('reports findings with stream offsets and no values', () => {
    const token = secretSamples()['github-token']!();
    const s = masker.stream();
    const out = s.push('abc ' + token.slice(0, 10)) + s.push(token.slice(10) + ' end') + s.end();
    assert.equal(out, 'abc [MASKED:github-token] end');
    assert.equal(s.findings.length, 1);
    assert.deepEqual(Object.keys(s.findings[0]!).sort(), ['hash', 'length', 'location', 'rule']);
    assert.equal(s.findings[0]!.location, 'offset:4');
    assert.ok(!JSON.stringify(s.findings).includes(token));
  });
  it('emits a private key block whole when a rule holds back from inside it', () => {
    // A rule whose match may span lines holds the stream from its keyword; found inside a
    // whole block past the rules' reach, that hold must not cut the block in two.
    const m = createMasker({ rules: [{ id: 'inner', regex: 'zqkey[a-z]*!', keywords: ['zqkey'] }] });
    const lines = Array.from({ length: 190 }, (_, i) => (i === 150 ? 'zqkey' : '') + randomFrom(ALNUM, 64)).join('\n');
    const input = `before\n-----BEGIN PRIVATE KEY-----\n${lines}\n-----END PRIVATE KEY-----\nafter`;
    const out = streamed(m, ['', input]).text;
    assert.equal(out, 'before\n[MASKED:private-key]\nafter');
  });
});

async function throughBytes(chunks: Uint8Array[], sse: boolean) {
  const found: unknown[] = [];
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  const reader = source.pipeThrough(maskByteStream(masker, { sse, onFindings: (f) => found.push(...f) })).getReader();
  const parts: Uint8Array[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return { text: new TextDecoder().decode(Buffer.concat(parts)), findings: found };
}

describe('maskByteStream', () => {
  it('masks a secret split across byte chunks, keeping multi-byte characters whole', async () => {
    const token = secretSamples()['stripe-key']!();
    const bytes = new TextEncoder().encode(`héllo 😀 ${token} wörld 😀`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { text, findings } = await throughBytes([bytes.slice(0, cut), bytes.slice(cut)], false);
      assert.equal(text, 'héllo 😀 [MASKED:stripe-key] wörld 😀');
      assert.equal(findings.length, 1);
    }
  });

  it('masks SSE token streams across events, keeping every event valid JSON', async () => {
    const token = secretSamples()['openai-api-key']!();
    const events = ['Hi', ` ${token}`, ' bye'].map(
      (content) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`,
    );
    const whole = new TextEncoder().encode(events.join('') + 'data: [DONE]\n\n');
    for (let cut = 1; cut < whole.length; cut += 3) {
      const { text, findings } = await throughBytes([whole.slice(0, cut), whole.slice(cut)], true);
      const datas = text.split('\n').filter((l) => l.startsWith('data: {'));
      const content = datas.map((d) => (JSON.parse(d.slice(6)) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content).join('');
      assert.equal(content, 'Hi [MASKED:openai-api-key] bye');
      assert.ok(!text.includes(token));
      assert.ok(text.endsWith('data: [DONE]\n\n'));
      assert.deepEqual((findings as { location: string }[]).map((f) => f.location), ['choice:0:content:offset:3']);
    }
  });

  it('keeps CRLF line ends and non-data fields of SSE', async () => {
    const input = 'event: ping\r\nid: 7\r\ndata: {"a":1}\r\n\r\n';
    const { text } = await throughBytes([new TextEncoder().encode(input)], true);
    assert.equal(text, input);
  });
});
