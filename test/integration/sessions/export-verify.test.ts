import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { main } from '../../../cli/main.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { blobPath, createRecorder, manifestSchema, SESSION_CONTAINER, type Manifest } from '../../../shared/sessions/index.js';
import { memoryIo, requestEvents, stores, uniqueId } from './helpers.js';

let azurite: Azurite;
let work: string;
let exported: string;
const ids = { a: uniqueId('a'), b: uniqueId('b'), c: uniqueId('c'), later: uniqueId('later') };

async function record(sessionId: string, day: string, requests: number, action: 'allow' | 'deny' = 'allow') {
  let tick = Date.parse(`${day}T09:00:00.000Z`);
  const recorder = createRecorder({ ...stores(azurite), maxPayloadBytes: 1024, log: memoryLogger(), now: () => new Date(tick++) });
  for (let i = 0; i < requests; i += 1) await recorder.append(requestEvents(sessionId, `${sessionId}-r${i}`, { action }));
}

async function cli(args: string[], options: { isTTY?: boolean } = {}) {
  const { io, stdout, stderr } = memoryIo({ isTTY: options.isTTY, env: { AzureWebJobsStorage: azurite.connectionString }, cwd: work });
  const code = await main(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const exportTo = (out: string, options: { isTTY?: boolean } = {}) =>
  cli(['sessions', 'export', '--from', '2025-03-01', '--to', '2025-03-02', '--out', out], options);

const readManifest = async (dir: string): Promise<Manifest> => manifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));

/** A copy of the good export to tamper with. */
async function copyOfExport(): Promise<string> {
  const dir = await mkdtemp(join(work, 'tampered-'));
  await cp(exported, dir, { recursive: true });
  return dir;
}

async function editLines(file: string, edit: (lines: string[]) => string[]) {
  const lines = (await readFile(file, 'utf8')).split('\n').slice(0, -1);
  await writeFile(file, edit(lines).map((line) => line + '\n').join(''));
}

before(async () => {
  azurite = await startAzurite();
  work = await mkdtemp(join(tmpdir(), 'portcullis-export-'));
  await record(ids.a, '2025-03-01', 2);
  await record(ids.b, '2025-03-01', 1, 'deny');
  await record(ids.a, '2025-03-02', 1);
  await record(ids.c, '2025-03-02', 3);
  await record(ids.later, '2025-03-05', 1);
  exported = join(work, 'export');
  const result = await exportTo('export');
  assert.equal(result.code, 0, result.stderr);
});

after(async () => {
  await azurite?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('portcullis sessions export', () => {
  it("writes each session-day's blob as it is, and a manifest of digests, counts and chain heads", async () => {
    const manifest = await readManifest(exported);
    assert.equal(manifest.from, '2025-03-01');
    assert.equal(manifest.to, '2025-03-02');
    assert.deepEqual(
      manifest.files.map((f) => [f.path, f.events]),
      [
        [blobPath('2025-03-01', ids.a), 7],
        [blobPath('2025-03-01', ids.b), 4],
        [blobPath('2025-03-02', ids.a), 4],
        [blobPath('2025-03-02', ids.c), 10],
      ].sort(),
    );
    const container = stores(azurite).blobs.getContainerClient(SESSION_CONTAINER);
    for (const file of manifest.files) {
      const bytes = await readFile(join(exported, file.path));
      assert.deepEqual(bytes, await container.getBlobClient(file.path).downloadToBuffer(), file.path);
      assert.equal(file.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(file.bytes, bytes.length);
      assert.equal(file.head, JSON.parse(bytes.toString().trimEnd().split('\n').at(-1)!).hash);
    }
  });

  it('shows progress only on a terminal', async () => {
    const plain = await exportTo('plain');
    assert.equal(plain.stdout, `exported 4 session files for 2025-03-01..2025-03-02: ${join(work, 'plain', 'manifest.json')}\n`);
    const tty = await exportTo('tty', { isTTY: true });
    assert.match(tty.stdout, /^\r exported 1\/4 sessions\r exported 2\/4 sessions\r exported 3\/4 sessions\r exported 4\/4 sessions\nexported 4 session files/);
  });

  it('resumes: skips files already exported and copies again one that is incomplete', async () => {
    await exportTo('resume');
    const again = await exportTo('resume');
    assert.match(again.stdout, /^exported 4 session files \(4 already there\)/);
    const cut = join(work, 'resume', blobPath('2025-03-02', ids.c));
    const whole = await readFile(cut);
    await editLines(cut, (lines) => lines.slice(0, -2));
    const third = await exportTo('resume');
    assert.match(third.stdout, /^exported 4 session files \(3 already there\)/);
    assert.deepEqual(await readFile(cut), whole);
    assert.equal((await cli(['sessions', 'verify', 'resume'])).code, 0);
  });

  it('refuses bad usage with one line and exit 2', async () => {
    const cases = [
      [['sessions'], /^portcullis sessions: expected a subcommand/],
      [['sessions', 'purge'], /^portcullis sessions: unknown subcommand "purge"/],
      [['sessions', 'export', '--from', '2025-02-30', '--to', '2025-03-01', '--out', 'x'], /--from "2025-02-30" is not a date \(YYYY-MM-DD\)/],
      [['sessions', 'export', '--from', '2025-03-02', '--to', '2025-03-01', '--out', 'x'], /--from 2025-03-02 is after --to 2025-03-01/],
      [['sessions', 'export', '--from', '2025-03-01', '--to', '2025-03-01'], /--out DIR is required/],
      [['sessions', 'export', '--from', '2025-03-01', '--to', '2025-03-01', '--out', 'x', '--connection-string', 'a', '--account-url', 'https://acct.blob.core.windows.net'], /not both/],
      [['sessions', 'export', '--from', '2025-03-01', '--to', '2025-03-01', '--out', 'x', '--account-url', 'http://acct.blob.core.windows.net'], /--account-url .* is not like https:\/\/ACCOUNT\.blob\.core\.windows\.net/],
      [['sessions', 'verify'], /expected the export directory/],
      [['sessions', 'verify', 'no-such-dir'], /no-such-dir is not a directory/],
    ] as const;
    for (const [args, message] of cases) {
      const result = await cli([...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    }
  });
});

describe('portcullis sessions verify', () => {
  it('prints ok for every file of an intact export and exits 0', async () => {
    const result = await cli(['sessions', 'verify', exported]);
    assert.equal(result.code, 0);
    const manifest = await readManifest(exported);
    // The manifest is signed (by the dev key `sessions export` made in the state folder), and names the key.
    const signed = `manifest.json ok (signed by ${manifest.signature!.keyId})`;
    const unsealed = 'manifest.json ok (no ledger for 2025-03-01, 2025-03-02 (not sealed when exported))';
    assert.equal(result.stdout, [signed, ...manifest.files.map((f) => `${f.path} ok`), unsealed, '4 files verify', ''].join('\n'));
  });

  it('locates a flipped byte', async () => {
    const dir = await copyOfExport();
    const path = blobPath('2025-03-01', ids.a);
    const bytes = await readFile(join(dir, path));
    const lines = bytes.toString().split('\n');
    const offset = lines.slice(0, 2).join('\n').length + 1 + Math.floor(lines[2]!.length / 2); // middle of line 3
    bytes[offset] = bytes[offset]! ^ 0x01;
    await writeFile(join(dir, path), bytes);
    const result = await cli(['sessions', 'verify', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${path}:3 `, 'm'));
  });

  it('locates a dropped line', async () => {
    const dir = await copyOfExport();
    const path = blobPath('2025-03-02', ids.c);
    await editLines(join(dir, path), (lines) => lines.filter((_, i) => i !== 4));
    const result = await cli(['sessions', 'verify', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${path}:5 seq is 5, expected 4 \\(a line is missing, added or out of order\\)$`, 'm'));
  });

  it('locates two swapped lines', async () => {
    const dir = await copyOfExport();
    const path = blobPath('2025-03-01', ids.b);
    await editLines(join(dir, path), ([a, b, c, ...rest]) => [a!, c!, b!, ...rest]);
    const result = await cli(['sessions', 'verify', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${path}:2 seq is 2, expected 1`, 'm'));
  });

  it('locates an edited manifest entry', async () => {
    const dir = await copyOfExport();
    const manifestPath = join(dir, 'manifest.json');
    const text = await readFile(manifestPath, 'utf8');
    const path = blobPath('2025-03-02', ids.a);
    const line = text.split('\n').findIndex((l) => l.includes(path)) + 1;
    await writeFile(manifestPath, text.replace(new RegExp(`("path":"${path}".*"events":)4`), '$15'));
    const result = await cli(['sessions', 'verify', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^manifest\\.json:${line} lists 5 events for ${path}, which has 4$`, 'm'));

    const digest = (await readManifest(exported)).files.find((f) => f.path === path)!.sha256;
    await writeFile(manifestPath, text.replace(digest, digest.replace(/^./, (c) => (c === '0' ? '1' : '0'))));
    const again = await cli(['sessions', 'verify', dir]);
    assert.equal(again.code, 1);
    assert.match(again.stdout, new RegExp(`^manifest\\.json:${line} lists a SHA-256 for ${path} that does not match the file$`, 'm'));
  });

  it('names files the manifest does not list, and files it lists that are missing', async () => {
    const dir = await copyOfExport();
    const manifestPath = join(dir, 'manifest.json');
    const unlisted = blobPath('2025-03-01', ids.b);
    const missing = blobPath('2025-03-02', ids.c);
    const text = await readFile(manifestPath, 'utf8');
    const missingLine = text.split('\n').findIndex((l) => l.includes(missing)) + 1;
    await writeFile(manifestPath, text.replace(/\n.*"path":"2025\/03\/01\/b-[^"]*".*(?=\n)/, ''));
    await rm(join(dir, missing));
    const result = await cli(['sessions', 'verify', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${unlisted} is not listed in manifest\\.json$`, 'm'));
    assert.match(result.stdout, new RegExp(`^manifest\\.json:${missingLine - 1} lists ${missing}, which is missing$`, 'm'));
  });

  it('reports a missing manifest', async () => {
    const dir = await copyOfExport();
    await rm(join(dir, 'manifest.json'));
    const result = await cli(['sessions', 'verify', dir]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^manifest\.json is missing$/m);
  });
});
