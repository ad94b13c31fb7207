// Runs one command on an SSH server with ssh2: the server must present the pinned host key (any
// other is refused before authenticating), the private key comes from the connection's credential,
// and output is handed over as it arrives.
import { createHash } from 'node:crypto';
import { Client, type ServerHostKeyAlgorithm } from 'ssh2';
import type { ExecOutcome, ExecRun } from '../exec-output.js';
import { handshakeTimeout, hostKeyMismatch, keyRefused, sshUnreachable, unreadablePrivateKey } from './refusals.js';
import { HOST_KEY } from './schema.js';

export interface ExecTarget {
  host: string;
  port: number;
  user: string;
  hostKey: string;
  privateKey: string;
  connectTimeoutMs: number;
}

export interface ExecIo extends ExecRun {
  command: string;
  stdin?: string;
  timeoutMs: number;
}

/** A host-key check for ssh2: the key's wire blob equals the pinned one, or hashes to its fingerprint. */
export function pinnedHostKey(pinned: string): { verify(key: Buffer): boolean; algorithms?: ServerHostKeyAlgorithm[] } {
  const groups = HOST_KEY.exec(pinned.trim())?.groups ?? {};
  if (groups.fingerprint) {
    const want = groups.fingerprint.replace(/=$/, '');
    return { verify: (key) => createHash('sha256').update(key).digest('base64').replace(/=+$/, '') === want };
  }
  const blob = Buffer.from(groups.blob ?? '', 'base64');
  const type = groups.type!;
  // Ask for the pinned key's type only, so a server holding several keys presents that one.
  const algorithms: ServerHostKeyAlgorithm[] = type.startsWith('ssh-rsa') || type.startsWith('rsa-') ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type as ServerHostKeyAlgorithm];
  return { verify: (key) => key.equals(blob), algorithms };
}

export function runCommand(target: ExecTarget, io: ExecIo): Promise<ExecOutcome> {
  const pin = pinnedHostKey(target.hostKey);
  let hostKeyRejected = false;
  const server = `${target.host}:${target.port}`;
  return new Promise<ExecOutcome>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const finish = (error: Error | undefined, outcome?: ExecOutcome) => {
      if (settled) return;
      settled = true;
      client.end();
      if (error) reject(error);
      else resolve(outcome!);
    };
    client.on('error', (error: Error & { level?: string }) => {
      if (hostKeyRejected) {
        finish(hostKeyMismatch(server));
      } else if (error.level === 'client-authentication') {
        finish(keyRefused(server, target.user));
      } else if (error.level === 'client-timeout') {
        finish(handshakeTimeout(server));
      } else {
        finish(sshUnreachable(`The SSH server at ${server} could not be reached (${error.message}).`));
      }
    });
    client.on('close', () => finish(sshUnreachable(`The SSH connection to ${server} closed before the command finished.`)));
    client.on('ready', () => {
      client.exec(io.command, (error, channel) => {
        if (error) return finish(sshUnreachable(`The SSH server did not start the command (${error.message}).`));
        io.onStart?.();
        let exitCode: number | null = null;
        let signal: string | null = null;
        let timedOut = false;
        const kill = () => {
          channel.signal('KILL');
          channel.close();
        };
        const timer = setTimeout(() => {
          timedOut = true;
          kill();
        }, io.timeoutMs);
        io.signal?.addEventListener('abort', kill, { once: true });
        channel.on('data', (chunk: Buffer) => io.onData('stdout', chunk));
        channel.stderr.on('data', (chunk: Buffer) => io.onData('stderr', chunk));
        channel.on('exit', (code: number | null, name?: string) => {
          if (typeof code === 'number') exitCode = code;
          else if (name) signal = name;
        });
        channel.on('close', () => {
          clearTimeout(timer);
          finish(undefined, { exitCode, signal, timedOut });
        });
        if (io.stdin !== undefined) channel.end(io.stdin);
        else channel.end();
      });
    });
    try {
      connect();
    } catch {
      // ssh2 could not read the key; its message is not repeated (it may quote the key).
      finish(unreadablePrivateKey());
    }
    function connect() {
      client.connect({
      host: target.host,
      port: target.port,
      username: target.user,
      privateKey: target.privateKey,
      readyTimeout: target.connectTimeoutMs,
      algorithms: pin.algorithms ? { serverHostKey: pin.algorithms } : undefined,
      hostVerifier: (key: Buffer) => {
        const ok = pin.verify(key);
        if (!ok) hostKeyRejected = true;
        return ok;
      },
    });
    }
  });
}
