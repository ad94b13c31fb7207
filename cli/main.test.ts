import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { secretSamples } from '../test/support/masking.js';
import { loadDevIssuer, writeDevState } from './dev/issuer.js';
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

const scratchDirs: string[] = [];
after(() => Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true }))));
/** A folder of the test's own, removed when the tests are done. */
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-cli-'));
  scratchDirs.push(dir);
  return dir;
}

/** The command as a user runs it, in a process of its own: `stdin` a path opened as its fd 0, `limitKb` a ulimit -f. */
function cli(args: string[], options: { cwd?: string; stdin?: string; limitKb?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fd = options.stdin === undefined ? undefined : openSync(options.stdin, 'r');
  const command = options.limitKb === undefined ? process.execPath : 'bash';
  const argv = options.limitKb === undefined ? [join(root, 'bin/portcullis.mjs'), ...args] : ['-c', `ulimit -f ${options.limitKb}; exec "$0" "$@"`, process.execPath, join(root, 'bin/portcullis.mjs'), ...args];
  return new Promise((done, fail) => {
    const child = spawn(command, argv, { cwd: options.cwd ?? root, stdio: [fd ?? 'ignore', 'pipe', 'pipe'] });
    if (fd !== undefined) closeSync(fd);
    let stdout = '';
    let stderr = '';
    // Piped, as asked above.
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const POLICY = `version: 1
issuers:
  - { issuer: https://issuer.example, audience: api://portcullis, jwksUri: https://issuer.example/jwks }
connections:
  api: { kind: http, upstream: https://api.example.com, groups: [agents] }
rules:
  - { name: read, match: { connections: api, method: GET }, action: allow }
`;
const TESTS = `cases:
  - { name: get, principal: { iss: https://issuer.example, sub: a, groups: [agents] }, connection: api, request: { method: GET, path: /x }, expect: { action: allow } }
`;

describe('portcullis: output files are written whole or not at all', () => {
  it('leaves the earlier file as it was when a write fails part-way, with one line and exit 1', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'schema.json'), '{"earlier":"schema"}\n');
    // The schema is ~300 KB: a file-size limit of 8 KB fails its write part-way, as a full disk does.
    const result = await cli(['policy', 'schema', '--out', 'schema.json'], { cwd: dir, limitKb: 8 });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^portcullis policy: cannot write \S+schema\.json: EFBIG\n$/);
    assert.equal(await readFile(join(dir, 'schema.json'), 'utf8'), '{"earlier":"schema"}\n');
    assert.deepEqual(await readdir(dir), ['schema.json'], 'no temporary file is left behind');
  });

  it('writes --out and --junit files, and names one it cannot write in one line (exit 1)', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'adir'));
    await writeFile(join(dir, 'policy.yaml'), POLICY);
    await writeFile(join(dir, 'tests.yaml'), TESTS);

    const schema = memoryIo(dir);
    assert.equal(await main(['policy', 'schema', '--out', 'schema.json'], schema.io), 0, schema.err());
    assert.ok(JSON.parse(await readFile(join(dir, 'schema.json'), 'utf8')));
    for (const [out, code] of [['adir', 'EISDIR'], ['nodir/schema.json', 'ENOENT']]) {
      const m = memoryIo(dir);
      assert.equal(await main(['policy', 'schema', '--out', out!], m.io), 1);
      assert.equal(m.err(), `portcullis policy: cannot write ${join(dir, out!)}: ${code}\n`);
    }

    const junit = memoryIo(dir);
    assert.equal(await main(['policy', 'test', 'policy.yaml', 'tests.yaml', '--junit', 'junit.xml'], junit.io), 0, junit.out() + junit.err());
    assert.match(await readFile(join(dir, 'junit.xml'), 'utf8'), /<testsuites/);
    const toFolder = memoryIo(dir);
    assert.equal(await main(['policy', 'test', 'policy.yaml', 'tests.yaml', '--junit', 'adir'], toFolder.io), 1);
    assert.match(toFolder.out(), /^1 case: 1 passed, 0 failed$/m);
    assert.equal(toFolder.err(), `portcullis policy: cannot write ${join(dir, 'adir')}: EISDIR\n`);
    assert.deepEqual((await readdir(dir)).sort(), ['adir', 'junit.xml', 'policy.yaml', 'schema.json', 'tests.yaml']);
  });
});

describe('portcullis token: only for a stack that runs', () => {
  it('refuses (exit 2) a --state folder without the state of portcullis dev, and creates nothing there', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'afile'), 'x');
    for (const state of ['.portcullsi', 'afile']) {
      const m = memoryIo(dir);
      assert.equal(await main(['token', '--sub', 'me', '--state', state], m.io), 2);
      assert.equal(m.err(), `portcullis token: no portcullis dev state in ${state} (dev.json): start portcullis dev first, or give its --state DIR\n`);
      assert.equal(m.out(), '');
    }
    assert.deepEqual((await readdir(dir)).sort(), ['afile']);

    // A state whose issuer key is gone: a new key would sign tokens the stack does not trust.
    await writeDevState(join(dir, 'keyless'), { issuer: 'http://127.0.0.1:1/api/dev/issuer', audience: 'portcullis', gatewayUrl: 'http://127.0.0.1:1' });
    const keyless = memoryIo(dir);
    assert.equal(await main(['token', '--sub', 'me', '--state', 'keyless'], keyless.io), 2);
    assert.match(keyless.err(), /^portcullis token: no dev issuer key in \S+keyless: /);
    assert.deepEqual(await readdir(join(dir, 'keyless')), ['dev.json']);

    // dev.json that cannot be read: one line, exit 1, no stack.
    await mkdir(join(dir, 'broken', 'dev.json'), { recursive: true });
    const broken = memoryIo(dir);
    assert.equal(await main(['token', '--sub', 'me', '--state', 'broken'], broken.io), 1);
    assert.match(broken.err(), /^portcullis token: EISDIR: illegal operation on a directory, read\n$/);
  });

  it('signs with the key and issuer of the state portcullis dev wrote', async () => {
    const state = join(await scratch(), 'state');
    const issuer = await loadDevIssuer(state, { create: true });
    await writeDevState(state, { issuer: 'http://127.0.0.1:7079/api/dev/issuer', audience: 'portcullis', gatewayUrl: 'http://127.0.0.1:7079' });
    const m = memoryIo();
    assert.equal(await main(['token', '--sub', 'me', '--state', state], m.io), 0, m.err());
    const [header, payload] = m.out().trim().split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    assert.equal(header!.kid, issuer.jwks.keys[0]!.kid);
    assert.equal(payload!.iss, 'http://127.0.0.1:7079/api/dev/issuer');
  });
});

describe('portcullis: arguments checked before any work', () => {
  it('dev: --port must be digits, and a --host that is not this machine\'s is bad input (exit 2)', async () => {
    for (const port of ['', ' ', '0x50', '-1', '1e3', '65536']) {
      const m = memoryIo();
      assert.equal(await main(['dev', `--port=${port}`], m.io), 2, port);
      assert.equal(m.err(), `portcullis dev: --port "${port}" is not a port number\n`);
    }
    const dashed = memoryIo();
    assert.equal(await main(['dev', '--port', '-1'], dashed.io), 2);
    assert.equal(dashed.err(), 'portcullis dev: Option \'--port\' argument is ambiguous\n', 'one line of parseArgs\' message');
    // 192.0.2.0/24 is for documentation: never an address of this machine.
    const host = memoryIo();
    assert.equal(await main(['dev', '--host', '192.0.2.1', '--port', '0'], host.io), 2);
    assert.match(host.err(), /^portcullis dev: --host 192\.0\.2\.1 cannot be listened on \(EADDRNOTAVAIL\)/);
  });

  it('approvals: a --url that is not an http(s) URL is bad input (exit 2), not a gateway that did not answer', async () => {
    for (const url of ['notaurl', 'ftp://example.com']) {
      const m = memoryIo();
      assert.equal(await main(['approvals', 'list', '--url', url, '--token', 'x'], m.io), 2, url);
      assert.equal(m.err(), `portcullis approvals: --url "${url}" is not an http(s) URL\n`);
    }
  });

  it('sessions export: a range of more than 366 days is refused (a year typo) unless --max-days allows it', async () => {
    const dir = await scratch();
    const m = memoryIo(dir);
    assert.equal(await main(['sessions', 'export', '--from', '1025-01-01', '--to', '2025-01-01', '--out', 'out'], m.io), 2);
    assert.match(m.err(), /^portcullis sessions: --from 1025-01-01 --to 2025-01-01 spans 365244 days, more than 366: check the dates, or allow it with --max-days 365244\n$/);
    await assert.rejects(stat(join(dir, 'out')), /ENOENT/);
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
    assert.equal(missing.out(), '', 'nothing is written before every input is known to be readable');

    const folder = memoryIo(dir);
    assert.equal(await main(['mask', '--jsonl', 'a.txt', '.'], folder.io), 2);
    assert.equal(folder.err(), 'portcullis mask: cannot read .: EISDIR\n');
    assert.equal(folder.out(), '');
  });

  it('fails with one line (exit 2) when stdin is a directory, instead of masking nothing', async () => {
    for (const mode of [[], ['--jsonl']]) {
      const result = await cli(['mask', ...mode], { stdin: '/' });
      assert.deepEqual(result, { code: 2, stdout: '', stderr: 'portcullis mask: cannot read stdin: EISDIR\n' }, mode.join(' '));
    }
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
