// withSecrets: exact literals (the gateway's own credential, echoed by an upstream) masked on
// top of the rules, in every mode, and never let out by a stream whatever the chunking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker, maskByteStream, MAX_SECRET_LENGTH, type Masker } from './index.js';
import { ALNUM, BASE64, pick, randomFrom, secretSamples, seeded, type Random } from '../../test/support/masking.js';

const RULE = 'connection-credential';
const MARKER = `[MASKED:${RULE}]`;
const ALL_PII = { email: true, phone: true, card: true, iban: true, ssn: true, ip: true };
const base = createMasker({ pii: ALL_PII });
const credential = () => randomFrom(BASE64, 40);
const secretOf = (value: string) => [{ rule: RULE, value }];

function streamed(m: Masker, chunks: string[]) {
  const s = m.stream();
  const out = chunks.map((c) => s.push(c)).join('') + s.end();
  return { text: out, findings: s.findings };
}

async function throughBytes(m: Masker, chunks: Uint8Array[], sse: boolean): Promise<string> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  const reader = source.pipeThrough(maskByteStream(m, { sse })).getReader();
  const parts: Uint8Array[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return new TextDecoder().decode(Buffer.concat(parts));
}

/** Text with rule findings, near misses and the literal (or its halves) here and there. */
function corpus(random: Random, value: string): string {
  const samples = secretSamples(random);
  const parts = ['invalid credential', value, value.slice(0, 12), value.slice(-12), 'bob@example.org', '4111 1111 1111 1111', '0.4539876512345678',
    samples['github-token']!(), '"', '\n', ' ', 'é😀', 'password=' + randomFrom(ALNUM, 16, random) + '7'];
  return Array.from({ length: 10 }, () => pick(parts, random)).join(pick(['', ' ', ', '], random));
}

describe('withSecrets', () => {
  it('masks the literal in text, with a finding that names it by rule, offset, length and hash only', () => {
    const value = credential();
    const m = base.withSecrets(secretOf(value));
    const out = m.text(`invalid credential ${value}, try again`);
    assert.equal(out.text, `invalid credential ${MARKER}, try again`);
    assert.equal(out.findings.length, 1);
    assert.deepEqual(Object.keys(out.findings[0]!).sort(), ['hash', 'length', 'location', 'rule']);
    assert.deepEqual({ ...out.findings[0], hash: undefined }, { rule: RULE, location: 'offset:19', length: 40, hash: undefined });
    assert.match(out.findings[0]!.hash, /^[0-9a-f]{8}$/);
    assert.ok(!JSON.stringify(out.findings).includes(value));
    assert.equal(base.text(value).text, value, 'the original masker is unchanged');
    assert.equal(m.ruleCount, base.ruleCount + 1);
  });

  it('behaves exactly like the original masker everywhere the literal is absent', () => {
    const random = seeded(3);
    const m = base.withSecrets(secretOf(credential()));
    for (let n = 0; n < 100; n++) {
      const text = corpus(random, 'absent');
      assert.deepEqual(m.text(text), base.text(text));
      assert.deepEqual(m.auto(JSON.stringify({ text })), base.auto(JSON.stringify({ text })));
    }
  });

  it('masks it in JSON string values, keys, escaped strings and nested JSON, keeping the JSON valid', () => {
    const value = randomFrom(ALNUM, 20) + '/' + randomFrom(ALNUM, 20);
    const m = base.withSecrets(secretOf(value));
    const nested = JSON.stringify({ error: `bad key ${value}` });
    const body = JSON.stringify({ message: `invalid credential ${value}`, [value]: 1, echo: { nested } }).replace('/', '\\/');
    const out = m.auto(body, 'application/json');
    const parsed = JSON.parse(out.text);
    assert.deepEqual(parsed, { message: `invalid credential ${MARKER}`, [MARKER]: 1, echo: { nested: JSON.stringify({ error: `bad key ${MARKER}` }) } });
    const locations = ['$.message:19', `$["${MARKER}"]:0`, '$.echo.nested.error:8'];
    assert.deepEqual(out.findings.map((f) => f.location), locations);
    const viaValue = m.json(JSON.parse(body));
    assert.deepEqual(viaValue.value, parsed);
    assert.deepEqual(viaValue.findings.map((f) => f.location), locations);
  });

  it('replaces whole any rule finding that holds it, whatever that rule keeps', () => {
    const token = secretSamples()['github-token']!();
    const keeping = createMasker({ replacements: { 'github-token': { keep: 4 } } });
    assert.equal(keeping.withSecrets(secretOf(token)).text(`t=${token}`).text, `t=${MARKER}`);
    // A literal inside a longer rule finding: the finding stays the rule's, without the tail.
    assert.equal(keeping.withSecrets(secretOf(token.slice(0, 30))).text(`t=${token}`).text, 't=[MASKED:github-token]');
  });

  it('masks overlapping occurrences as one, and several literals, added at once or in turn', () => {
    const m = base.withSecrets(secretOf('xyxyxyxy'));
    assert.equal(m.text('a xyxyxyxyxy b').text, `a ${MARKER} b`);
    const [a, b] = [credential(), credential()];
    const both = base.withSecrets(secretOf(a)).withSecrets([{ rule: 'other-secret', value: b }]);
    assert.equal(both.text(`${a} ${b}`).text, `${MARKER} [MASKED:other-secret]`);
    assert.deepEqual(base.withSecrets([...secretOf(a), { rule: 'other-secret', value: b }]).text(`${b}:${a}`).text, `[MASKED:other-secret]:${MARKER}`);
  });

  it('ignores literals shorter than 8 characters', () => {
    assert.equal(base.withSecrets(secretOf('hunter2')), base);
    assert.equal(base.withSecrets(secretOf('hunter2')).text('pw hunter2').text, 'pw hunter2');
    assert.equal(base.withSecrets(secretOf('hunter22')).text('pw hunter22').text, `pw ${MARKER}`);
  });

  it('never lets the literal out of a stream, split at every point, with spaces in it too', () => {
    for (const value of [credential(), `pass ${randomFrom(ALNUM, 10)} word ${randomFrom(ALNUM, 10)}`]) {
      const m = base.withSecrets(secretOf(value));
      const input = `HTTP 401: invalid credential ${value} (from 10.0.0.1) and again ${value}.`;
      const batch = m.text(input);
      assert.ok(!batch.text.includes(value));
      for (let cut = 0; cut <= input.length; cut++) {
        const result = streamed(m, [input.slice(0, cut), input.slice(cut)]);
        if (result.text !== batch.text) assert.equal(result.text, batch.text, `split at ${cut}`);
      }
      for (let cut = 0; cut <= value.length; cut++) {
        // Whatever came before, the first part of a split literal is held until it is decided.
        const s = m.streamAt((offset) => `line:1:${offset}`);
        const first = s.push(`echo ${value.slice(0, cut)}`);
        assert.ok('echo '.startsWith(first), `part of the literal emitted, split at ${cut}`);
        assert.equal(first + s.push(value.slice(cut) + ' end') + s.end(), `echo ${MARKER} end`);
        assert.deepEqual(s.findings.map((f) => f.location), ['line:1:5']);
      }
    }
  });

  it('gives the batch result in random chunks, one character at a time included', () => {
    const random = seeded(17);
    for (let n = 0; n < 150; n++) {
      const value = randomFrom(pick([ALNUM, BASE64, ALNUM + ' '], random), 8 + Math.floor(random() * 40), random);
      const m = base.withSecrets(secretOf(value));
      const input = corpus(random, value);
      const chunks: string[] = [];
      for (let at = 0; at < input.length; ) {
        const size = random() < 0.3 ? 1 : 1 + Math.floor(random() * 30);
        chunks.push(input.slice(at, at + size));
        at += size;
      }
      const batch = m.text(input);
      const result = streamed(m, chunks);
      assert.equal(result.text, batch.text, JSON.stringify(input));
      assert.deepEqual(result.findings.map((f) => f.hash), batch.findings.map((f) => f.hash));
      assert.ok(!result.text.includes(value));
    }
  });

  it('holds back a literal longer than MAX_SECRET_LENGTH until it is whole', () => {
    const value = Array.from({ length: 1200 }, () => randomFrom(ALNUM, 9)).join(' ');
    assert.ok(value.length > MAX_SECRET_LENGTH);
    const m = base.withSecrets(secretOf(value));
    const input = `before ${value} after`;
    const chunks = input.match(/[^]{1,997}/g)!;
    assert.equal(streamed(m, chunks).text, `before ${MARKER} after`);
  });

  it('never lets it out of maskByteStream, text or SSE, split at every byte', async () => {
    const value = credential();
    const m = base.withSecrets(secretOf(value));
    const text = new TextEncoder().encode(`héllo 😀 invalid credential ${value} wörld`);
    const event = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;
    const sse = new TextEncoder().encode(`${event('key ')}${event(value)}: note ${value}\n${event('bye')}data: [DONE]\n\n`);
    for (const [bytes, isSse] of [[text, false], [sse, true]] as const) {
      const whole = await throughBytes(m, [bytes], isSse);
      assert.ok(whole.includes(MARKER) && !whole.includes(value));
      for (let cut = 1; cut < bytes.length; cut++) {
        const out = await throughBytes(m, [bytes.slice(0, cut), bytes.slice(cut)], isSse);
        if (out !== whole) assert.equal(out, whole, `split at byte ${cut}`);
      }
    }
  });
});

/** Whether `text` shows `value`, or most of it, as it is, percent-encoded, or in a run of base64 or base64url. */
function recoverable(text: string, value: string): boolean {
  const core = value.slice(2, -2);
  if (text.includes(core) || decodeURIComponent(text.replace(/%(?![0-9A-F]{2})/gi, '')).includes(core)) return true;
  return (text.match(/[A-Za-z0-9+/_-]{16,}/g) ?? []).some((run) => Buffer.from(run, 'base64').toString('latin1').includes(core));
}

describe('withSecrets: the forms an echo writes the credential in', () => {
  it('masks it in base64 at any offset (Basic auth of user:secret, standard and URL-safe), percent-encoded, JSON-escaped, and hex in either case', () => {
    for (let i = 0; i < 20; i++) {
      const value = credential();
      const m = base.withSecrets(secretOf(value));
      const user = randomFrom(ALNUM, i % 7);
      const basic = Buffer.from(`${user}:${value}`);
      for (const text of [
        `echo: ${basic.toString('base64')}`, JSON.stringify({ h: `Basic ${basic.toString('base64')}` }), `x=${basic.toString('base64url')}&y=1`,
        `GET /v1?key=${encodeURIComponent(value)}`, `raw ${JSON.stringify(`a"${value}`)}`,
      ]) {
        const out = m.auto(text);
        assert.ok(!recoverable(out.text, value), `${text} -> ${out.text}`);
        assert.ok(out.findings.some((f) => f.rule === RULE), text);
      }
    }
    const hex = randomFrom('0123456789abcdef', 40);
    const m = base.withSecrets(secretOf(hex));
    assert.ok(!m.text(`got ${hex.toUpperCase()} back`).text.includes(hex.toUpperCase()));
  });

  it('leaves base64 that holds no part of it', () => {
    const m = base.withSecrets(secretOf(credential()));
    const other = Buffer.from(`user:${randomFrom(ALNUM, 30)}`).toString('base64');
    assert.equal(m.text(`echo: ${other}`).text, `echo: ${other}`);
  });
});
