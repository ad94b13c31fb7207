// The attacks an outside review made on exports, each of which passed `verify` before exports were
// signed and days were sealed in a ledger: a consistent rewrite (chain and manifest re-hashed), a
// session deleted with its manifest line, a one-byte change of the manifest's `to`, an edited
// ledger; and signatures by a key the auditor did not give.
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { main } from '../../../cli/main.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { canonicalJson } from '../../../shared/sessions/canonical-json.js';
import { genesis, lineHash } from '../../../shared/sessions/chain.js';
import { formatManifest, parseManifest, type Manifest } from '../../../shared/sessions/manifest.js';
import { blobPath, createRecorder, EXPORT_CONTAINER, fileSigner, ledgerPath, runDailyExport, sign, type Signer } from '../../../shared/sessions/index.js';
import { ledgerGenesis } from '../../../shared/sessions/ledger.js';
import { memoryIo, requestEvents, stores, uniqueId } from './helpers.js';

let azurite: Azurite;
let work: string;
let exported: string;
let gateway: Signer; // seals ledgers and signs the daily export (Key Vault in Azure)
let exporter: Signer; // another key the auditor trusts, e.g. the one `sessions export` signed with
let stranger: Signer; // nobody trusts it
const day = '2025-07-01';
const ids = { a: uniqueId('a'), b: uniqueId('b') };

async function publicPem(name: string): Promise<string> {
  const path = join(work, `${name}.pub.pem`);
  const key = createPublicKey(createPrivateKey(await readFile(join(work, `${name}.pem`), 'utf8')));
  await writeFile(path, key.export({ type: 'spki', format: 'pem' }));
  return path;
}

async function verify(dir: string, keys: string[]) {
  const { io, stdout, stderr } = memoryIo({ cwd: work });
  const code = await main(['sessions', 'verify', dir, ...keys.flatMap((k) => ['--public-key', k])], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

async function copyOfExport(): Promise<string> {
  const dir = await mkdtemp(join(work, 'tampered-'));
  await cp(exported, dir, { recursive: true });
  return dir;
}

/** Re-hashes a session-day's chain after an edit, as an attacker who read docs/sessions.md would. */
function rehash(lines: string[], sessionId: string): string[] {
  let prev = genesis(sessionId, day);
  return lines.map((line) => {
    const { hash: _hash, ...event } = JSON.parse(line) as Record<string, unknown>;
    const unsealed = { ...event, prev };
    prev = lineHash(unsealed);
    return canonicalJson({ ...unsealed, hash: prev });
  });
}

const textLines = (text: string) => text.slice(0, -1).split('\n');

async function readManifestFile(dir: string): Promise<Manifest> {
  const parsed = parseManifest(await readFile(join(dir, 'manifest.json'), 'utf8'));
  assert.ok('manifest' in parsed);
  return parsed.manifest;
}

/** Rewrites the manifest's entries to match the files and signs it again, with `signer` (or keeps the old signature). */
async function rewriteManifest(dir: string, edit: (m: Manifest) => Manifest, signer?: Signer) {
  const { signature, ...rest } = edit(await readManifestFile(dir));
  const manifest = signer ? await sign(rest, signer) : { ...rest, signature };
  await writeFile(join(dir, 'manifest.json'), formatManifest(manifest));
}

async function entryFor(dir: string, path: string) {
  const { createHash } = await import('node:crypto');
  const bytes = await readFile(join(dir, path));
  const last = JSON.parse(bytes.toString().trimEnd().split('\n').at(-1)!) as { hash: string };
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), events: bytes.toString().trimEnd().split('\n').length, head: last.hash };
}

/** The attack of the review: edit a line of a session and re-hash its chain and its manifest entry. */
async function rewriteSession(dir: string, signer?: Signer): Promise<string> {
  const path = blobPath(day, ids.a);
  const file = join(dir, path);
  const lines = textLines(await readFile(file, 'utf8')).map((l) => l.replace('allow by test', 'allow by t3st'));
  await writeFile(file, rehash(lines, ids.a).map((l) => l + '\n').join(''));
  const entry = await entryFor(dir, path);
  await rewriteManifest(dir, (m) => ({ ...m, files: m.files.map((f) => (f.path === path ? { ...f, ...entry } : f)) }), signer);
  return path;
}

before(async () => {
  azurite = await startAzurite();
  work = await mkdtemp(join(tmpdir(), 'portcullis-signed-'));
  [gateway, exporter, stranger] = await Promise.all(['gateway', 'exporter', 'stranger'].map((n) => fileSigner(join(work, `${n}.pem`), { create: true })));
  let tick = Date.parse(`${day}T09:00:00.000Z`);
  const recorder = createRecorder({ ...stores(azurite), maxPayloadBytes: 1024, log: memoryLogger(), now: () => new Date(tick++) });
  await recorder.append(requestEvents(ids.a, 'r1'));
  await recorder.append(requestEvents(ids.b, 'r1', { action: 'deny' }));
  await runDailyExport({ blobs: stores(azurite).blobs, log: memoryLogger(), signer: gateway, now: () => new Date('2025-07-02T01:30:00.000Z') });
  exported = join(work, 'export');
  const container = stores(azurite).blobs.getContainerClient(EXPORT_CONTAINER);
  for await (const item of container.listBlobsFlat({ prefix: `${day}/` })) {
    const target = join(exported, item.name.slice(day.length + 1));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await container.getBlobClient(item.name).downloadToBuffer());
  }
});

after(async () => {
  await azurite?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('signed exports and the daily ledger', () => {
  it('verifies an intact export with the public key, naming the key that signed and sealed', async () => {
    const result = await verify(exported, [await publicPem('gateway')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`^manifest\\.json ok \\(signed by ${gateway.keyId}\\)$`, 'm'));
    assert.match(result.stdout, new RegExp(`^${ledgerPath(day)} ok \\(sealed by ${gateway.keyId}, 2 session-days\\)$`, 'm'));
    assert.match(result.stdout, /^2 files verify$/m);
  });

  it('fails on a key it was not given, and on a missing signature', async () => {
    const unknown = await verify(exported, [await publicPem('stranger')]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, new RegExp(`^manifest\\.json is signed by ${gateway.keyId}, a key not trusted here`, 'm'));
    const dir = await copyOfExport();
    await rewriteManifest(dir, (m) => m);
    const { signature: _s, ...unsigned } = await readManifestFile(dir);
    await writeFile(join(dir, 'manifest.json'), formatManifest(unsigned));
    const result = await verify(dir, [await publicPem('gateway')]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^manifest\.json is not signed$/m);
  });

  it('detects a consistent rewrite: chain and manifest re-hashed, signature kept or made with another key', async () => {
    const kept = await copyOfExport();
    const path = await rewriteSession(kept);
    const withKept = await verify(kept, [await publicPem('gateway')]);
    assert.equal(withKept.code, 1);
    assert.match(withKept.stdout, /^manifest\.json has a signature by .* that does not match its content$/m);
    assert.match(withKept.stdout, new RegExp(`^${path} does not match the chain head the ledger of ${day} sealed`, 'm'));

    const resigned = await copyOfExport();
    await rewriteSession(resigned, stranger);
    const withStranger = await verify(resigned, [await publicPem('gateway')]);
    assert.equal(withStranger.code, 1);
    assert.match(withStranger.stdout, new RegExp(`^manifest\\.json is signed by ${stranger.keyId}, a key not trusted here`, 'm'));
  });

  it('detects a rewrite even when the manifest is re-signed by a key the auditor trusts: the ledger disagrees', async () => {
    const dir = await copyOfExport();
    const path = await rewriteSession(dir, exporter);
    const result = await verify(dir, [await publicPem('gateway'), await publicPem('exporter')]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^manifest\\.json ok \\(signed by ${exporter.keyId}\\)$`, 'm'));
    assert.match(result.stdout, new RegExp(`^${path} does not match the chain head the ledger of ${day} sealed`, 'm'));
  });

  it('detects a session deleted together with its manifest line', async () => {
    const dir = await copyOfExport();
    const path = blobPath(day, ids.b);
    await rm(join(dir, path));
    await rewriteManifest(dir, (m) => ({ ...m, files: m.files.filter((f) => f.path !== path) }), exporter);
    const result = await verify(dir, [await publicPem('gateway'), await publicPem('exporter')]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${path} is missing: the ledger of ${day} lists session ${ids.b}`, 'm'));
    const unsigned = await copyOfExport();
    await rm(join(unsigned, path));
    await rewriteManifest(unsigned, (m) => ({ ...m, files: m.files.filter((f) => f.path !== path) }));
    assert.match((await verify(unsigned, [await publicPem('gateway')])).stdout, /^manifest\.json has a signature by .* that does not match its content$/m);
  });

  it("detects a one-byte change of the manifest's to", async () => {
    const dir = await copyOfExport();
    const file = join(dir, 'manifest.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace(`"to": "${day}"`, `"to": "${day.slice(0, -1)}2"`));
    const result = await verify(dir, [await publicPem('gateway')]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^manifest\.json has a signature by .* that does not match its content$/m);
  });

  it('detects an edited ledger, even re-hashed', async () => {
    const dir = await copyOfExport();
    const file = join(dir, ledgerPath(day));
    const lines = textLines(await readFile(file, 'utf8'));
    let prev = ledgerGenesis(day);
    const edited = lines.map((line, i) => {
      const { hash: _hash, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const changed = { ...rest, prev, ...(i === 0 ? { events: (rest.events as number) + 1 } : {}) };
      prev = lineHash(changed);
      return canonicalJson({ ...changed, hash: prev });
    });
    await writeFile(file, edited.map((l) => l + '\n').join(''));
    const result = await verify(dir, [await publicPem('gateway')]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${ledgerPath(day)}:3 seal has a signature by ${gateway.keyId} that does not match its content$`, 'm'));
  });
});
