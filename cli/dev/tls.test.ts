import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, describe, it } from 'node:test';
import { devTls } from './tls.js';

const dir = await mkdtemp(join(tmpdir(), 'portcullis-tls-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Whether a TLS client trusting only `ca` accepts the server for `servername`/`host`. */
async function accepted(tls: { cert: string; key: string }, ca: string, host: string, servername?: string): Promise<string | true> {
  const server = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<string | true>((resolve) => {
      const socket = connect({ host, port: (server.address() as AddressInfo).port, ca, servername }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', (error) => resolve(error.message));
    });
  } finally {
    server.close();
  }
}

describe('dev TLS', () => {
  it('keeps one CA in the state folder and issues a server certificate it signs, for 127.0.0.1 and localhost', async () => {
    const first = await devTls(dir);
    const second = await devTls(dir);
    assert.equal(second.ca, first.ca, 'the CA is made once and kept');
    assert.notEqual(second.cert, first.cert, 'the server certificate is issued at each start');
    assert.equal(await accepted(second, first.ca, '127.0.0.1'), true);
    assert.equal(await accepted(second, first.ca, '127.0.0.1', 'localhost'), true);
    assert.match(String(await accepted(second, first.ca, '127.0.0.1', 'example.com')), /altnames|Hostname/i);
  });

  it('is not trusted by a client that does not trust the CA', async () => {
    const other = await devTls(join(dir, 'other'));
    const mine = await devTls(dir);
    assert.notEqual(await accepted(mine, other.ca, '127.0.0.1'), true);
  });
});
