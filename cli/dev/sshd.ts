// A local OpenSSH server for the dev stack and the tests: its own host key, an authorized key made
// for the gateway, and a config in a folder of its own, listening on a loopback port. Commands run
// as the current user (root here, with keys only).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface LocalSshd {
  host: string;
  port: number;
  user: string;
  /** The server's host key as known_hosts writes it: `ssh-ed25519 AAAA…`. */
  hostKey: string;
  /** The private key (OpenSSH format) the gateway signs in with. */
  clientKey: string;
  stop(): Promise<void>;
}

/** Starts sshd (the path from ensureBinary('sshd')) with keys and config under `dir`. */
export async function startSshd(sshd: string, dir: string, options: { log?: (line: string) => void } = {}): Promise<LocalSshd> {
  await mkdir(dir, { recursive: true });
  const hostKeyPath = join(dir, 'host_ed25519');
  const clientKeyPath = join(dir, 'client_ed25519');
  for (const path of [hostKeyPath, clientKeyPath]) {
    await rm(path, { force: true });
    await rm(`${path}.pub`, { force: true });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'portcullis-dev', '-f', path]);
  }
  const authorized = join(dir, 'authorized_keys');
  await writeFile(authorized, await readFile(`${clientKeyPath}.pub`), { mode: 0o600 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `HostKey ${hostKeyPath}`,
      'ListenAddress 127.0.0.1',
      `AuthorizedKeysFile ${authorized}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(dir, 'sshd.pid')}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // sshd checks that its privilege-separation folder exists even when it runs unprivileged.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }).catch(() => undefined);
  const child = spawn(sshd, ['-D', '-e', '-f', config, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => options.log?.(`sshd: ${chunk.toString().trim()}`));
  try {
    await listening(child, port);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const [type, blob] = (await readFile(`${hostKeyPath}.pub`, 'utf8')).trim().split(' ');
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    hostKey: `${type} ${blob}`,
    clientKey: await readFile(clientKeyPath, 'utf8'),
    stop: () => stopChild(child),
  };
}

async function listening(child: ChildProcess, port: number): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode} before listening on port ${port}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sshd did not listen on port ${port} within 30 seconds`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
