import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import {
  blobPath,
  closeSessions,
  createRecorder,
  EXPORT_CONTAINER,
  filePublicKey,
  fileSigner,
  ledgerPath,
  runDailyExport,
  SESSION_CONTAINER,
  sessionEventSchema,
  verifyChain,
  verifyExport,
  type SessionStores,
  type Signer,
  type TrustedKey,
} from '../../../shared/sessions/index.js';
import { requestEvents, stores as storesOf, uniqueId } from './helpers.js';

let azurite: Azurite;
let stores: SessionStores;
let keyDir: string;
let signer: Signer;
let publicKey: TrustedKey;
const day = '2025-04-01';
const afterMidnight = () => new Date('2025-04-02T00:30:00.000Z');

before(async () => {
  azurite = await startAzurite();
  stores = storesOf(azurite);
  keyDir = await mkdtemp(join(tmpdir(), 'portcullis-daily-key-'));
  signer = await fileSigner(join(keyDir, 'signing-key.pem'), { create: true });
  publicKey = (await filePublicKey(join(keyDir, 'signing-key.pem')))!;
});

after(async () => {
  await azurite?.stop();
  if (keyDir) await rm(keyDir, { recursive: true, force: true });
});

function recorderAt(time: string) {
  let tick = Date.parse(time);
  return createRecorder({ ...stores, maxPayloadBytes: 1024, log: memoryLogger(), now: () => new Date(tick++) });
}

async function lines(container: string, path: string): Promise<string[]> {
  const text = (await stores.blobs.getContainerClient(container).getBlobClient(path).downloadToBuffer()).toString();
  return text.slice(0, -1).split('\n');
}

const types = (text: string[]) => text.map((line) => sessionEventSchema.parse(JSON.parse(line)).type);

describe('daily export', () => {
  it("closes yesterday's sessions, exports them to the exports container, and does it once", async () => {
    const [one, two] = [uniqueId('one'), uniqueId('two')];
    await recorderAt(`${day}T10:00:00Z`).append(requestEvents(one, 'r1'));
    await recorderAt(`${day}T11:00:00Z`).append([...requestEvents(two, 'r1'), { type: 'session.end', sessionId: two, requestId: 'r1' }]);
    const log = memoryLogger();

    const manifest = await runDailyExport({ blobs: stores.blobs, log, signer, now: afterMidnight });

    assert.deepEqual(manifest.files.map((f) => f.path), [blobPath(day, one), blobPath(day, two)]);
    assert.deepEqual(types(await lines(SESSION_CONTAINER, blobPath(day, one))), ['session.start', 'request', 'decision', 'response', 'session.end']);
    assert.deepEqual(types(await lines(SESSION_CONTAINER, blobPath(day, two))).slice(-1), ['session.end']);
    assert.equal(types(await lines(SESSION_CONTAINER, blobPath(day, two))).length, 5, 'an ended session is not ended twice');
    for (const file of manifest.files) {
      assert.deepEqual(await lines(EXPORT_CONTAINER, `${day}/${file.path}`), await lines(SESSION_CONTAINER, file.path));
    }
    assert.deepEqual(log.lines.map((l) => [l.message, l.files, l.closed]), [['sessions exported', 2, 1]]);

    const again = await runDailyExport({ blobs: stores.blobs, log, signer, now: () => new Date('2025-04-02T06:00:00.000Z') });
    assert.deepEqual(again, manifest);
    assert.equal(log.lines.at(-1)!.message, 'sessions already exported');
  });

  it('writes an export that verifies offline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-daily-'));
    try {
      const container = stores.blobs.getContainerClient(EXPORT_CONTAINER);
      for await (const item of container.listBlobsFlat({ prefix: `${day}/` })) {
        const target = join(dir, item.name.slice(day.length + 1));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, await container.getBlobClient(item.name).downloadToBuffer());
      }
      const checks = await verifyExport(dir, [publicKey]);
      assert.ok(checks.length >= 2);
      assert.deepEqual(checks.filter((c) => c.message), []);
      assert.deepEqual(checks.filter((c) => c.note).map((c) => [c.file, c.note]), [
        ['manifest.json', `signed by ${signer.keyId}`],
        [ledgerPath(day), `sealed by ${signer.keyId}, 2 session-days`],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('chains a late event after the close behind a fresh session.start, and the next close ends it again', async () => {
    const sessionId = uniqueId('late');
    const lateDay = '2025-04-10';
    await recorderAt(`${lateDay}T23:00:00Z`).append(requestEvents(sessionId, 'r1'));
    assert.equal(await closeSessions(stores.blobs, lateDay, { now: () => new Date('2025-04-11T00:01:00Z') }), 1);
    await recorderAt(`${lateDay}T23:59:59.990Z`).append(requestEvents(sessionId, 'r2'));
    assert.equal(await closeSessions(stores.blobs, lateDay, { now: () => new Date('2025-04-11T00:02:00Z') }), 1);
    assert.equal(await closeSessions(stores.blobs, lateDay, { now: () => new Date('2025-04-11T00:03:00Z') }), 0);
    const text = await lines(SESSION_CONTAINER, blobPath(lateDay, sessionId));
    assert.deepEqual(types(text), [
      'session.start', 'request', 'decision', 'response', 'session.end',
      'session.start', 'request', 'decision', 'response', 'session.end',
    ]);
    assert.deepEqual(verifyChain(text, { sessionId, day: lateDay }), []);
  });

  it('refuses to close a day that is not over', async () => {
    await assert.rejects(closeSessions(stores.blobs, '2025-04-02', { now: afterMidnight }), /the day is not over/);
  });
});
