// Credential tiers on an ssh connection: each tier signs in with its own key as its own account. A
// command that only reads (programs that cannot write, no redirect or substitution) runs as the
// read tier's account; anything else as the write tier's. Against Debian's sshd; the read account
// is made here when missing (as root: useradd), since commands must really run as two users.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, appendFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startSshd, type LocalSshd } from '../../../cli/dev/sshd.js';
import { needBinary } from '../../support/binaries.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../../support/stack.js';

const run = promisify(execFile);
const READER = 'portcullis-reader';
const sshd = await needBinary('sshd');

/** The read tier's account: there, or made (root only); undefined when it cannot be had. */
async function readerAccount(): Promise<string | undefined> {
  if (await run('id', ['-u', READER]).then(() => true, () => false)) return READER;
  if (process.getuid?.() !== 0) return undefined;
  // `-p '*'`: no password, but not locked (sshd without PAM refuses locked accounts).
  await run('useradd', ['--system', '--no-create-home', '--shell', '/bin/sh', '-p', '*', READER]);
  return READER;
}

const reader = sshd.skip ? undefined : await readerAccount();
const skip = sshd.skip || (reader ? false : `no ${READER} account, and not root to make one`);

let dir: string;
let server: LocalSshd;
let stack: TestStack;
let token: string;

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'portcullis-ssh-tiers-'));
  try {
    server = await startSshd(sshd.path!, join(dir, 'sshd'));
    // The read tier's own key, authorized beside the write tier's.
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'reader')]);
    await appendFile(join(dir, 'sshd', 'authorized_keys'), await readFile(join(dir, 'reader.pub')));
    // sshd reads authorized keys as the signing-in user: the reader must reach the (public) file.
    for (const folder of [dir, join(dir, 'sshd')]) await chmod(folder, 0o755);
    await chmod(join(dir, 'sshd', 'authorized_keys'), 0o644);
    stack = await startTestStack({
      policy: `${DEV_ISSUER_POLICY}
connections:
  box:
    kind: ssh
    host: ${server.host}
    port: ${server.port}
    user: ${server.user}
    hostKey: "${server.hostKey}"
    credentials:
      read: { env: READER_KEY, user: ${READER} }
      write: { env: WRITER_KEY }
    groups: [agents]
rules:
  - { name: agents, match: { groups: agents }, action: allow }
`,
      env: { READER_KEY: await readFile(join(dir, 'reader'), 'utf8'), WRITER_KEY: server.clientKey },
    });
    token = await stack.token('agent-t', ['agents']);
  } catch (error) {
    await server?.stop();
    throw error;
  }
});

after(async () => {
  await stack?.stop();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function whoRuns(command: string): Promise<string> {
  const res = await fetch(`${stack.url}/api/exec/box`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const body = JSON.parse(text) as { stdout: string; stderr: string; exitCode: number };
  assert.equal(body.exitCode, 0, body.stderr);
  return body.stdout.trim().split('\n').at(-1)!;
}

describe('ssh credential tiers', { skip }, () => {
  it('runs a command that only reads as the read tier\'s account', async () => {
    assert.equal(await whoRuns('id -un'), READER);
    assert.equal(await whoRuns('whoami'), READER);
  });

  it('runs anything else as the write tier\'s account', async () => {
    const writer = userInfo().username;
    assert.equal(await whoRuns(`touch ${join(dir, 'written')} && id -un`), writer);
    // A redirect writes, so a reading program behind one is not read-only; nor is a substitution.
    assert.equal(await whoRuns(`id -un > ${join(dir, 'who')}; cat ${join(dir, 'who')}`), writer);
    assert.equal(await whoRuns('echo $(id -un)'), writer);
  });
});
