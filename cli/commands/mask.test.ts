import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createMasker } from '../../shared/masking/index.js';
import { pemKey, secretSamples, seeded } from '../../test/support/masking.js';
import { main } from '../main.js';
import { run } from './mask.js';
import { UsageError, type CliIo } from '../io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function portcullis(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['bin/portcullis.mjs', 'mask', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function memoryIo(input: string): { io: CliIo; out: () => string; err: () => string } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  stdin.end(input);
  return { io: { stdin, stdout, stderr, isTTY: false, env: {}, cwd: root }, out: () => out, err: () => err };
}

/** Stdin from `input` (the writer's own buffer); stdout kept as the chunks written. */
function bytesIo(input: Buffer): { io: CliIo; chunks: () => Buffer[] } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const written: Buffer[] = [];
  stdout.on('data', (d: Buffer) => written.push(d));
  stdin.end(input);
  return { io: { stdin, stdout, stderr: new PassThrough(), isTTY: false, env: {}, cwd: root }, chunks: () => written };
}

const token = () => secretSamples()['github-token']!();

describe('portcullis mask (process)', () => {
  it('masks stdin to stdout', async () => {
    const value = token();
    const result = await portcullis([], `deploy with ${value}\nmail bob@example.com\n`);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'deploy with [MASKED:github-token]\nmail [MASKED:pii-email]\n');
  });

  it('--jsonl answers each line, in order, with the masked text and findings', async () => {
    const value = token();
    const result = await portcullis(['--jsonl'], [{ text: `a ${value}` }, { text: 'nothing' }, { text: '{"password":"p"}' }].map((l) => JSON.stringify(l)).join('\n') + '\n');
    assert.equal(result.code, 0);
    const lines = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.text), ['a [MASKED:github-token]', 'nothing', '{"password":"[MASKED:sensitive-key]"}']);
    assert.deepEqual(lines[0].findings.map((f: { rule: string; location: string }) => [f.rule, f.location]), [['github-token', 'offset:2']]);
    assert.deepEqual(lines[1].findings, []);
    assert.ok(!result.stdout.includes(value));
  });

  it('--rules adds a gitleaks pack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mask-'));
    const file = join(dir, 'pack.toml');
    await writeFile(file, `[[rules]]\nid = "acme"\nregex = '''acme_[0-9]{6}'''\nkeywords = ["acme_"]\n`);
    const result = await portcullis(['--rules', file], 'id acme_123456\n');
    assert.equal(result.stdout, 'id [MASKED:acme]\n');
  });

  it('refuses bad usage with one line and exit code 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mask-'));
    const badToml = join(dir, 'bad.toml');
    await writeFile(badToml, '[[rules]\n');
    for (const [args, stdin, message] of [
      [['--frobnicate'], '', /unknown option "--frobnicate"/],
      [['--rules', join(dir, 'missing.toml')], '', /cannot read rules file .*missing\.toml: ENOENT/],
      [['--rules', badToml], '', /bad\.toml: not valid TOML/],
      [['--jsonl'], '{"text":"ok"}\n{"txt":"x"}\n', /line 2: expected a JSON object \{"text": string\}/],
      [['--jsonl'], 'not json\n', /line 1: /],
      [['--json'], 'not json', /stdin is not valid JSON/],
    ] as const) {
      const result = await portcullis([...args], stdin);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    }
  });
});

describe('mask command (in memory)', () => {
  it('streams --jsonl line by line, answering before the input ends', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const io: CliIo = { stdin, stdout, stderr: new PassThrough(), isTTY: false, env: {}, cwd: root };
    const firstLine = new Promise<string>((done) => stdout.once('data', (d) => done(String(d))));
    const finished = run(['--jsonl'], io);
    stdin.write('{"text":"mail bob@example.com"}\n');
    assert.equal(await firstLine, '{"text":"mail [MASKED:pii-email]","findings":[{"rule":"pii-email","location":"offset:5","length":15,"hash":"5ff860bf"}]}\n');
    stdin.end();
    assert.equal(await finished, 0);
  });

  it('--json forces JSON mode', async () => {
    const { io, out } = memoryIo('{"a": "x", "secret": "s"}');
    assert.equal(await run(['--json'], io), 0);
    assert.equal(out(), '{"a": "x", "secret": "[MASKED:sensitive-key]"}');
  });

  it('decodes UTF-8 as TextDecoder does (byte order mark dropped, a bad byte as U+FFFD) and writes UTF-8', async () => {
    const value = token();
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`café ${value} 😀 `), Buffer.from([0xff]), Buffer.from(' end\n')]);
    const { io, chunks } = bytesIo(bytes);
    assert.equal(await run([], io), 0);
    assert.equal(Buffer.concat(chunks()).toString('utf8'), 'café [MASKED:github-token] 😀 \ufffd end\n');
  });

  it('writes a large output in bounded chunks, each whole UTF-8, and leaves the writer\'s buffer as it was', async () => {
    const value = token();
    // A surrogate pair across the first slice's edge (64 Ki characters), a secret, and enough text for several slices.
    const text = 'x'.repeat((1 << 16) - 1) + '😀' + ` ${value}\n` + 'log line, nothing secret\n'.repeat(20_000);
    const input = Buffer.from(text);
    const copy = Buffer.from(input);
    const { io, chunks } = bytesIo(input);
    assert.equal(await run([], io), 0);
    const written = chunks();
    assert.ok(written.length > 4, `${written.length} chunks`);
    for (const chunk of written) {
      assert.ok(chunk.length <= 3 << 16, `${chunk.length} bytes`);
      assert.ok(!chunk.toString('utf8').includes('\ufffd'), 'a chunk ends inside a character');
    }
    assert.equal(Buffer.concat(written).toString('utf8'), text.replace(value, '[MASKED:github-token]'));
    assert.deepEqual(input, copy);
  });

  it('masks text as it reads it, answering before the input ends', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const io: CliIo = { stdin, stdout, stderr: new PassThrough(), isTTY: false, env: {}, cwd: root };
    let out = '';
    stdout.on('data', (d) => (out += d));
    const finished = run([], io);
    const value = token();
    const lines = 'GET /api/v1/orders 200 12ms nothing secret here\n'.repeat(4000);
    stdin.write(`${lines}auth=${value.slice(0, 12)}`);
    for (const until = Date.now() + 10_000; out.length < lines.length / 2 && Date.now() < until; ) await new Promise((done) => setTimeout(done, 5));
    assert.ok(out.length >= lines.length / 2, `${out.length} characters written before the input ended`);
    assert.ok(!out.includes(value.slice(0, 12)), 'the start of a secret went out before its end came');
    stdin.end(`${value.slice(12)} done\n`);
    assert.equal(await finished, 0);
    assert.equal(out, `${lines}auth=[MASKED:github-token] done\n`);
  });

  it('gives the whole text\'s result however its bytes arrive', async () => {
    const masker = createMasker({});
    const random = seeded(22);
    const samples = secretSamples(random);
    const kinds = Object.keys(samples);
    const key = pemKey();
    for (let round = 0; round < 12; round++) {
      const parts: string[] = [];
      for (let i = 0; i < 400; i++) {
        const r = random();
        parts.push(r < 0.05 ? `token=${samples[kinds[Math.floor(random() * kinds.length)]!]!()} ` : r < 0.07 ? `\n${key}\n` : r < 0.1 ? 'café 😀 € ' : 'a plain log word ');
      }
      const text = parts.join('') + '\n';
      const bytes = Buffer.from(text);
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const written: Buffer[] = [];
      stdout.on('data', (d: Buffer) => written.push(d));
      const finished = run([], { stdin, stdout, stderr: new PassThrough(), isTTY: false, env: {}, cwd: root });
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(random() * (random() < 0.5 ? 7 : 90_000));
        stdin.write(bytes.subarray(at, at + size));
        at += size;
      }
      stdin.end();
      assert.equal(await finished, 0);
      assert.equal(Buffer.concat(written).toString('utf8'), masker.auto(text).text, `round ${round}`);
    }
  });

  it('reads a large file in pieces, a secret across their edge masked as in the whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-mask-'));
    const value = token();
    // The file is read a mebibyte at a time: the secret straddles the first edge, a character the second.
    const first = 'x '.repeat((1 << 19) - 4) + 'key=';
    const text = first + value + ' é'.repeat(1 << 19) + '\nend\n';
    await writeFile(join(dir, 'big.log'), text);
    const { io, out } = memoryIo('');
    assert.equal(await run([join(dir, 'big.log')], io), 0);
    assert.equal(out(), text.replace(value, '[MASKED:github-token]'));
  });

  it('reads a JSON file whole, from its first byte, past blank lines it read to decide', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-mask-'));
    const value = token();
    // More blank lines than one read holds: deciding reads past them, masking starts from the top.
    const text = '\n'.repeat((1 << 20) + 5) + `{"password": "hunter2", "note": "${value}"}\n`;
    await writeFile(join(dir, 'answer.json'), text);
    const { io, out } = memoryIo('');
    assert.equal(await run([join(dir, 'answer.json')], io), 0);
    assert.equal(out(), '\n'.repeat((1 << 20) + 5) + '{"password": "[MASKED:sensitive-key]", "note": "[MASKED:github-token]"}\n');
  });

  it('--stats ends with one line on stderr: rules, bytes, findings by rule, startup and masking CPU time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-mask-'));
    const [first, second] = [token(), token()];
    const json = `{"password": "hunter2", "note": "${first}"}\n`;
    await writeFile(join(dir, 'answer.json'), json);
    const text = `deploy with ${second}\nmail bob@example.com\n`;
    const quiet = memoryIo(text);
    assert.equal(await run([join(dir, 'answer.json'), '-'], quiet.io), 0);
    assert.equal(quiet.err(), '');

    const { io, out, err } = memoryIo(text);
    assert.equal(await run(['--stats', join(dir, 'answer.json'), '-'], io), 0);
    assert.equal(out(), quiet.out());
    const rules = createMasker({}).ruleCount;
    const bytes = Buffer.byteLength(json) + Buffer.byteLength(text);
    assert.match(
      err(),
      new RegExp(
        `^portcullis mask: ${rules} rules; ${bytes} bytes in 2 inputs; 4 findings \\(github-token 2, pii-email 1, sensitive-key 1\\); ` +
          'startup \\d+\\.\\d{3} s CPU \\(\\d+\\.\\d{3} s wall\\), masking \\d+\\.\\d{3} s CPU \\((\\d+\\.\\d|-) MB/s\\)\\n$',
      ),
    );
  });

  it('throws UsageError for bad lines, which main turns into exit code 2', async () => {
    const { io } = memoryIo('[1]\n');
    await assert.rejects(run(['--jsonl'], io), (e: unknown) => e instanceof UsageError && /line 1/.test(e.message));
    const m = memoryIo('');
    assert.equal(await main(['mask', '--nope'], m.io), 2);
    assert.match(m.err(), /^portcullis mask: unknown option "--nope"/);
  });
});
