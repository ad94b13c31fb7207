// The lean Append Block the gateway appends with (shared/sessions/append-block.ts): signed with
// Shared Key it lands in Azurite exactly as the SDK's does; a stale position is refused with the
// service's code; an answer lost after the block landed, or a 5xx, is handed to the SDK, and the
// chain keeps each block once; with a token credential it sends a bearer token (over TLS only),
// fetched once.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, newPipeline, StorageSharedKeyCredential } from '@azure/storage-blob';
import { devAccount, startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { AppendRefused, leanAppendBlock } from '../../../shared/sessions/append-block.js';
import { createSessionBlob } from '../../../shared/sessions/chain-writer.js';
import { blobPath, createRecorder, dayOf, SESSION_CONTAINER, verifyChain } from '../../../shared/sessions/index.js';
import { startTlsFront } from '../../support/tls.js';
import { blobClient, requestEvents, tableClients, uniqueId } from './helpers.js';

let azurite: Azurite;
const servers: Array<Server | TcpServer> = [];

before(async () => {
  azurite = await startAzurite();
});

after(async () => {
  for (const server of servers) server.close();
  await azurite?.stop();
});

const listen = async <S extends Server | TcpServer>(server: S): Promise<number> => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

async function newBlob(blobs: BlobServiceClient) {
  const container = blobs.getContainerClient(SESSION_CONTAINER);
  await container.createIfNotExists();
  const blob = container.getAppendBlobClient(`lean/${uniqueId('blob')}.jsonl`);
  await createSessionBlob(blob);
  return blob;
}

describe('lean Append Block', () => {
  it('lands signed with Shared Key at the position given, and says how many blocks the blob has', async () => {
    const blobs = blobClient(azurite);
    const append = leanAppendBlock(blobs.credential);
    const blob = await newBlob(blobs);
    assert.deepEqual(await append(blob, Buffer.from('one\n'), 0), { blocks: 1 });
    assert.deepEqual(await append(blob, Buffer.from('two\n'), 4), { blocks: 2 });
    assert.equal((await blob.downloadToBuffer()).toString(), 'one\ntwo\n');
  });

  it('is refused with the service code when the blob is no longer where the writer chained from', async () => {
    const blobs = blobClient(azurite);
    const append = leanAppendBlock(blobs.credential);
    const blob = await newBlob(blobs);
    await append(blob, Buffer.from('one\n'), 0);
    await assert.rejects(append(blob, Buffer.from('late\n'), 0), (error) => {
      assert.ok(error instanceof AppendRefused);
      assert.equal(error.statusCode, 412);
      assert.equal(error.details.errorCode, 'AppendPositionConditionNotMet');
      return true;
    });
    assert.equal((await blob.downloadToBuffer()).toString(), 'one\n');
  });

  it('is refused (403) with a wrong key, and nothing is written', async () => {
    const blobs = blobClient(azurite);
    const blob = await newBlob(blobs);
    const wrong = new StorageSharedKeyCredential(devAccount.name, Buffer.from('not the key').toString('base64'));
    await assert.rejects(leanAppendBlock(wrong)(blob, Buffer.from('forged\n'), 0), (error) => error instanceof AppendRefused && error.statusCode === 403);
    assert.equal((await blob.downloadToBuffer()).length, 0);
  });

  it('hands an append whose answer was lost to the SDK; the recorder keeps the block once', async () => {
    // A TCP relay to Azurite that, once, lets an Append Block through and hangs up before its answer.
    const target = new URL(azurite.blobEndpoint);
    let drop = true;
    let dropped = 0;
    const relay = createTcpServer((client: Socket) => {
      const upstream = connect(Number(target.port), target.hostname);
      let cut = false;
      client.on('data', (chunk: Buffer) => {
        if (drop && chunk.toString('latin1').includes('comp=appendblock')) {
          drop = false;
          cut = true;
          dropped += 1;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => (cut ? client.destroy() : client.write(chunk)));
      client.on('close', () => upstream.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.on('error', () => client.destroy());
    });
    const port = await listen(relay);
    const credential = new StorageSharedKeyCredential(devAccount.name, devAccount.key);
    const blobs = new BlobServiceClient(`http://127.0.0.1:${port}/${devAccount.name}`, newPipeline(credential, { retryOptions: { maxTries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 } }));
    const recorder = createRecorder({ blobs, table: tableClients(azurite), maxPayloadBytes: 16 * 1024, log: memoryLogger(), appendBlock: leanAppendBlock(credential) });
    const sessionId = uniqueId('lost');
    await recorder.append(requestEvents(sessionId, 'r1'));
    await recorder.append(requestEvents(sessionId, 'r2'));
    assert.equal(dropped, 1, 'an answer was lost');
    const day = dayOf(new Date());
    const text = (await blobClient(azurite).getContainerClient(SESSION_CONTAINER).getBlobClient(blobPath(day, sessionId)).downloadToBuffer()).toString();
    const lines = text.slice(0, -1).split('\n');
    assert.deepEqual(verifyChain(lines, { sessionId, day }), []);
    assert.deepEqual(lines.map((line) => `${JSON.parse(line).requestId}:${JSON.parse(line).type}`), [
      'r1:session.start', 'r1:request', 'r1:decision', 'r1:response', 'r2:request', 'r2:decision', 'r2:response',
    ]);
  });

  it('with a token credential sends a bearer token for storage over TLS, fetched once while valid', async () => {
    const seen: Array<{ url: string; authorization?: string; position?: string }> = [];
    const storage = createServer((req: IncomingMessage, res) => {
      req.resume().on('end', () => {
        seen.push({ url: req.url!, authorization: req.headers.authorization, position: req.headers['x-ms-blob-condition-appendpos'] as string | undefined });
        res.writeHead(201, { 'x-ms-blob-committed-block-count': String(seen.length) }).end();
      });
    });
    const tls = await startTlsFront();
    try {
      tls.forwardTo(`http://127.0.0.1:${await listen(storage)}`);
      const scopes: string[] = [];
      const token = `t-${uniqueId('token')}`;
      const credential = {
        getToken: async (scope: string | string[]) => {
          scopes.push(String(scope));
          return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
      const blob = new BlobServiceClient(`${tls.url}/account`, newPipeline(credential)).getContainerClient('sessions').getAppendBlobClient('day/s.jsonl');
      const append = leanAppendBlock(credential, { ca: tls.ca });
      assert.deepEqual(await append(blob, Buffer.from('one\n'), 0), { blocks: 1 });
      assert.deepEqual(await append(blob, Buffer.from('two\n'), 4), { blocks: 2 });
      assert.deepEqual(seen.map((s) => [s.url, s.authorization, s.position]), [
        ['/account/sessions/day/s.jsonl?comp=appendblock', `Bearer ${token}`, '0'],
        ['/account/sessions/day/s.jsonl?comp=appendblock', `Bearer ${token}`, '4'],
      ]);
      assert.deepEqual(scopes, ['https://storage.azure.com/.default'], 'one token, for storage');
    } finally {
      await tls.close();
    }
  });

  it('hands a 503 to the SDK, whose retries settle it', async () => {
    let unavailable = 1;
    const seen: string[] = [];
    const storage = createServer((req: IncomingMessage, res) => {
      req.resume().on('end', () => {
        seen.push(`${req.method} ${req.url}`);
        if (unavailable-- > 0) return res.writeHead(503, { 'x-ms-error-code': 'ServerBusy' }).end();
        res.writeHead(201, { 'x-ms-blob-committed-block-count': '7' }).end();
      });
    });
    const port = await listen(storage);
    const credential = new StorageSharedKeyCredential(devAccount.name, devAccount.key);
    const blobs = new BlobServiceClient(`http://127.0.0.1:${port}/${devAccount.name}`, newPipeline(credential, { retryOptions: { maxTries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 } }));
    const blob = blobs.getContainerClient('sessions').getAppendBlobClient('day/s.jsonl');
    assert.deepEqual(await leanAppendBlock(credential)(blob, Buffer.from('one\n'), 0), { blocks: 7 });
    assert.equal(seen.length, 2);
    assert.ok(seen.every((s) => s === `PUT /${devAccount.name}/sessions/day/s.jsonl?comp=appendblock`));
  });
});
