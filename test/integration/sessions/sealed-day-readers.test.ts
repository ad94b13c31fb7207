// The readers that say whether a session verifies (the auditor API's readSession, which the
// console also shows, and `portcullis sessions replay` from storage or an export) hold a sealed
// day to its ledger, as `sessions verify` does: a chain alone cannot tell that its last lines or
// its last part were cut off. Azurite does not enforce the container's immutability, so the test
// can do what an attacker with a looser policy could.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { main } from '../../../cli/main.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { blobPath, createRecorder, fileSigner, readSession, runDailyExport, SESSION_CONTAINER, type SessionStores } from '../../../shared/sessions/index.js';
import { memoryIo, requestEvents, stores as storesOf, uniqueId } from './helpers.js';

let azurite: Azurite;
let stores: SessionStores;
let work: string;
const day = '2025-08-01';
const ids = { intact: uniqueId('intact'), cut: uniqueId('cut'), dropped: uniqueId('dropped') };

before(async () => {
  azurite = await startAzurite();
  stores = storesOf(azurite);
  work = await mkdtemp(join(tmpdir(), 'portcullis-sealed-readers-'));
  let tick = Date.parse(`${day}T10:00:00.000Z`);
  // Three blocks a blob: each session-day rolls over into a second part.
  const recorder = createRecorder({ ...stores, maxPayloadBytes: 1024, log: memoryLogger(), now: () => new Date(tick++), maxBlocksPerBlob: 3 });
  for (const id of Object.values(ids)) for (let i = 0; i < 6; i++) await recorder.append(requestEvents(id, `r${i}`, { action: i === 5 ? 'deny' : 'allow' }));
  const signer = await fileSigner(join(work, 'signing-key.pem'), { create: true });
  await runDailyExport({ blobs: stores.blobs, log: memoryLogger(), signer, now: () => new Date('2025-08-02T01:00:00.000Z') });
  const container = stores.blobs.getContainerClient(SESSION_CONTAINER);
  // The last request and the day's close cut off the last part: the chain that is left is whole.
  const last = container.getAppendBlobClient(blobPath(day, ids.cut, 1));
  const kept = (await last.downloadToBuffer()).toString('utf8').trimEnd().split('\n').slice(0, -4).join('\n') + '\n';
  await last.delete();
  await last.create();
  await last.appendBlock(kept, Buffer.byteLength(kept));
  await container.getBlobClient(blobPath(day, ids.dropped, 1)).delete();
});

after(async () => {
  await azurite?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const { io, stdout } = memoryIo({ env: { AzureWebJobsStorage: azurite.connectionString }, cwd: work });
  return { code: await main(args, io), stdout: stdout() };
}

describe('readers of a sealed day', () => {
  it('verify a session whose blobs are what the ledger sealed', async () => {
    const record = await readSession(stores, ids.intact);
    assert.deepEqual(record?.problems, []);
    assert.equal(record?.verified, true);
    assert.equal((await cli(['sessions', 'replay', ids.intact])).code, 0);
  });

  it('do not verify a session whose last lines or last part were cut off, though its chain is whole', async () => {
    for (const id of [ids.cut, ids.dropped]) {
      const record = await readSession(stores, id);
      assert.equal(record?.verified, false, id);
      assert.match(record!.problems.map((p) => p.message).join('\n'), /the ledger of 2025-08-01 sealed \(\d+ events, the ledger says 21\)/);
      const replay = await cli(['sessions', 'replay', id]);
      assert.equal(replay.code, 1);
      assert.match(replay.stdout, /does not verify/);
      assert.equal((await cli(['sessions', 'replay', id, '--date', day])).code, 1);
    }
  });

  it('hold an export to the ledger it carries', async () => {
    const out = join(work, 'export');
    assert.equal((await cli(['sessions', 'export', '--from', day, '--to', day, '--out', out, '--signing-key', join(work, 'signing-key.pem')])).code, 0);
    assert.equal((await cli(['sessions', 'replay', ids.intact, '--dir', out])).code, 0);
    assert.equal((await cli(['sessions', 'replay', ids.cut, '--dir', out])).code, 1);
  });
});
