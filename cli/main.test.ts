import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { secretSamples } from '../test/support/masking.js';
import type { CliIo } from './io.js';
import { main } from './main.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function memoryIo(cwd = root): { io: CliIo; out: () => string; err: () => string } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  stdin.end('');
  return { io: { stdin, stdout, stderr, isTTY: false, env: {}, cwd }, out: () => out, err: () => err };
}

const COMMANDS = [
  ['dev'],
  ['token'],
  ['mask'],
  ['policy'],
  ['policy', 'check'],
  ['policy', 'schema'],
  ['policy', 'test'],
  ['policy', 'explain'],
  ['policy', 'what-if'],
  ['approvals'],
  ['approvals', 'list'],
  ['approvals', 'show'],
  ['approvals', 'approve'],
  ['approvals', 'deny'],
  ['sessions'],
  ['sessions', 'export'],
  ['sessions', 'verify'],
  ['sessions', 'replay'],
];

describe('portcullis: help and version', () => {
  for (const command of COMMANDS) {
    it(`portcullis ${command.join(' ')} --help prints its usage and exits 0`, async () => {
      for (const flag of ['--help', '-h']) {
        const m = memoryIo();
        assert.equal(await main([...command, flag], m.io), 0, m.err());
        assert.match(m.out(), new RegExp(`^usage: portcullis ${command.join(' ')}`));
        assert.equal(m.err(), '');
      }
    });
  }

  it('documents every option of dev and token', async () => {
    const dev = memoryIo();
    await main(['dev', '--help'], dev.io);
    for (const flag of ['--port N', '--host ADDRESS', '--policy FILE', '--state DIR', '--persist', '--quiet']) assert.ok(dev.out().includes(`  ${flag}`), `${flag}:\n${dev.out()}`);
    const token = memoryIo();
    await main(['token', '--help'], token.io);
    for (const flag of ['--sub NAME', '--groups', '--ttl', '--aud', '--claim NAME=VALUE', '--state DIR']) assert.ok(token.out().includes(`  ${flag}`), `${flag}:\n${token.out()}`);
    assert.match(token.out(), /--claim NAME=VALUE\s+an extra claim \(repeatable\)/);
  });

  it('lists the subcommands of a command given none to run', async () => {
    const m = memoryIo();
    assert.equal(await main(['policy', '--help'], m.io), 0);
    for (const sub of ['check', 'schema', 'test', 'explain', 'what-if']) assert.match(m.out(), new RegExp(`^  ${sub} `, 'm'));
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const m = memoryIo();
    assert.equal(await main(['--version'], m.io), 0);
    assert.equal(m.out(), `portcullis ${version}\n`);
  });
});

describe('portcullis mask FILE…', () => {
  it('masks each file in turn, and names a file it cannot read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-mask-'));
    const token = secretSamples()['github-token']!();
    await writeFile(join(dir, 'a.txt'), `first ${token}\n`);
    await writeFile(join(dir, 'b.txt'), 'second, nothing secret\n');
    const m = memoryIo(dir);
    assert.equal(await main(['mask', 'a.txt', 'b.txt'], m.io), 0, m.err());
    assert.match(m.out(), /^first \[MASKED:[\w-]+\]\nsecond, nothing secret\n$/);
    assert.ok(!m.out().includes(token));

    const missing = memoryIo(dir);
    assert.equal(await main(['mask', 'a.txt', 'nope.txt'], missing.io), 2);
    assert.match(missing.err(), /^portcullis mask: cannot read nope\.txt: ENOENT/);
  });

  it('ends quietly, with no EPIPE stack, when its reader stops reading (| head)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-mask-'));
    const big = join(dir, 'big.jsonl');
    await writeFile(big, `${JSON.stringify({ text: 'hello there '.repeat(50) })}\n`.repeat(20_000));
    const result = await new Promise<{ code: number | null; stderr: string }>((done, fail) => {
      const child = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" bin/portcullis.mjs mask --jsonl "${big}" | head -c 100 > /dev/null`], { cwd: root });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stderr }));
    });
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
  });
});
