// A session-day has no size limit: an append blob takes at most 50,000 blocks, so the recorder rolls
// over to a new blob, chained to the last one's head, before the limit (here a small injected one).
// The chain verifies across the blobs, replay and export follow them, and a blob taken out of the
// middle is found.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { main } from '../../../cli/main.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import {
  blobPath,
  createRecorder,
  EXPORT_CONTAINER,
  fileSigner,
  ledgerPath,
  listParts,
  readSession,
  runDailyExport,
  SESSION_CONTAINER,
  type SessionEvent,
  type Signer,
} from '../../../shared/sessions/index.js';
import { memoryIo, requestEvents, stores, uniqueId } from './helpers.js';

let azurite: Azurite;
let work: string;
let signer: Signer;
const day = '2025-08-01';
const sessionId = uniqueId('roll');
const MAX_BLOCKS = 3;
const REQUESTS = 10;
let tick = Date.parse(`${day}T10:00:00.000Z`);
const now = () => new Date(tick++);

const recorder = () => createRecorder({ ...stores(azurite), maxPayloadBytes: 1024, log: memoryLogger(), now, maxBlocksPerBlob: MAX_BLOCKS });
const container = () => stores(azurite).blobs.getContainerClient(SESSION_CONTAINER);
const linesOf = async (path: string): Promise<SessionEvent[]> =>
  (await container().getBlobClient(path).downloadToBuffer()).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as SessionEvent);

async function cli(args: string[]) {
  const { io, stdout, stderr } = memoryIo({ env: { AzureWebJobsStorage: azurite.connectionString }, cwd: work });
  const code = await main(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

before(async () => {
  azurite = await startAzurite();
  work = await mkdtemp(join(tmpdir(), 'portcullis-rollover-'));
  signer = await fileSigner(join(work, 'gateway.pem'), { create: true });
  // One append per request is one block: 10 blocks, 3 to a blob.
  const first = recorder();
  for (let i = 0; i < REQUESTS - 2; i += 1) await first.append(requestEvents(sessionId, `r${i}`));
  // Another instance, with no cached state, finds the last blob and continues there.
  const second = recorder();
  await second.append(requestEvents(sessionId, `r${REQUESTS - 2}`));
  await first.append(requestEvents(sessionId, `r${REQUESTS - 1}`));
});

after(async () => {
  await azurite?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('session-day rollover', () => {
  it('writes several blobs, each continuing the chain from the last line of the one before', async () => {
    const parts = await listParts(container(), { sessionId, day });
    assert.deepEqual(parts, [0, 1, 2, 3]);
    let seq = 0;
    let head: string | undefined;
    for (const part of parts) {
      const events = await linesOf(blobPath(day, sessionId, part));
      const [opening] = events;
      assert.equal(opening!.type, 'session.start');
      if (part === 0) assert.equal(opening!.details, undefined);
      else {
        assert.equal(opening!.details?.continues, blobPath(day, sessionId, part - 1));
        assert.equal(opening!.prev, head);
      }
      for (const event of events) assert.equal(event.seq, seq++);
      head = events.at(-1)!.hash;
      const blocks = (await container().getAppendBlobClient(blobPath(day, sessionId, part)).getProperties()).blobCommittedBlockCount;
      assert.ok(blocks! <= MAX_BLOCKS, `part ${part} holds ${blocks} blocks`);
    }
  });

  it('reads the whole session-day back, verified across the blobs', async () => {
    const record = await readSession(stores(azurite), sessionId);
    assert.ok(record);
    assert.deepEqual(record.problems, []);
    assert.equal(record.verified, true);
    const requests = record.events.filter((event) => event.type === 'request').map((event) => event.requestId);
    assert.deepEqual(requests, Array.from({ length: REQUESTS }, (_, i) => `r${i}`));
    assert.equal(record.events.filter((event) => event.type === 'session.start').length, 4);
  });

  it('replays every event of every blob, for the session and for its day', async () => {
    for (const args of [[sessionId], [sessionId, '--date', day]]) {
      const result = await cli(['sessions', 'replay', ...args]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.equal(result.stdout.match(/ request /g)?.length, REQUESTS);
      assert.match(result.stdout, new RegExp(`chain verifies \\(${REQUESTS * 3 + 4} events\\)\\n$`));
    }
  });

  it('exports every blob, seals the session-day in the ledger with its last head, and verifies', async () => {
    await runDailyExport({ blobs: stores(azurite).blobs, log: memoryLogger(), signer, now: () => new Date('2025-08-02T01:00:00.000Z') });
    const dir = await download('export');
    const ledger = (await readFile(join(dir, ledgerPath(day)), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const [head] = ledger.filter((line) => line.type === 'head');
    const last = await linesOf(blobPath(day, sessionId, 3));
    assert.equal(head!.lastHash, last.at(-1)!.hash, 'the ledger holds the head of the last blob');
    assert.equal(last.at(-1)!.type, 'session.end', 'the close ended the last blob');
    assert.equal(head!.lastSeq, last.at(-1)!.seq);
    assert.equal(head!.parts, 4);
    const result = await verify(dir);
    assert.equal(result.code, 0, result.stdout);
    for (const part of [0, 1, 2, 3]) assert.match(result.stdout, new RegExp(`^${blobPath(day, sessionId, part)} ok$`, 'm'));
    const replay = await cli(['sessions', 'replay', sessionId, '--dir', dir]);
    assert.equal(replay.code, 0, replay.stdout);
  });

  it('finds a blob deleted from the middle, in storage and in an export', async () => {
    const dir = await download('tampered');
    await rm(join(dir, blobPath(day, sessionId, 1)));
    const result = await verify(dir);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${escape(blobPath(day, sessionId, 1))}.* missing`, 'm'));
    assert.match(result.stdout, new RegExp(`^${escape(blobPath(day, sessionId, 2))}:1 (seq|prev) `, 'm'));

    await container().getBlobClient(blobPath(day, sessionId, 1)).delete();
    const record = await readSession(stores(azurite), sessionId);
    assert.equal(record?.verified, false);
    assert.deepEqual(record.problems[0], { file: blobPath(day, sessionId, 1), line: 0, message: 'is missing' });
    assert.equal((await cli(['sessions', 'replay', sessionId])).code, 1);
  });
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function download(name: string): Promise<string> {
  const dir = join(work, name);
  const exports = stores(azurite).blobs.getContainerClient(EXPORT_CONTAINER);
  for await (const item of exports.listBlobsFlat({ prefix: `${day}/` })) {
    const target = join(dir, item.name.slice(day.length + 1));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await exports.getBlobClient(item.name).downloadToBuffer());
  }
  return dir;
}

async function verify(dir: string) {
  const pub = join(work, 'gateway.pub.pem');
  await writeFile(pub, createPublicKey(createPrivateKey(await readFile(join(work, 'gateway.pem'), 'utf8'))).export({ type: 'spki', format: 'pem' }));
  return cli(['sessions', 'verify', dir, '--public-key', pub]);
}
