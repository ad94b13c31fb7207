import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { main } from '../../../cli/main.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { blobPath, createRecorder } from '../../../shared/sessions/index.js';
import { memoryIo, principal, requestEvents, stores, uniqueId } from './helpers.js';

let azurite: Azurite;
let work: string;
const sessionId = uniqueId('replay');
const day = '2025-05-20';

async function cli(args: string[], options: { isTTY?: boolean } = {}) {
  const { io, stdout, stderr } = memoryIo({ isTTY: options.isTTY, env: { AzureWebJobsStorage: azurite.connectionString }, cwd: work });
  const code = await main(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

before(async () => {
  azurite = await startAzurite();
  work = await mkdtemp(join(tmpdir(), 'portcullis-replay-'));
  let tick = Date.parse(`${day}T14:00:00.000Z`);
  const recorder = createRecorder({ ...stores(azurite), maxPayloadBytes: 1024, log: memoryLogger(), now: () => new Date((tick += 5)) });
  const who = principal('agent-7');
  await recorder.append(requestEvents(sessionId, 'r1'));
  await recorder.append([
    { type: 'request', sessionId, requestId: 'r2', principal: who, connection: 'orders-db', operation: { kind: 'sql', summary: 'DeleteStmt on public.orders', actions: ['delete'], resources: ['public.orders'], flags: ['no-where'] } },
    { type: 'decision', sessionId, requestId: 'r2', decision: { action: 'review', rule: 'hold-deletes', reason: 'deletes need a human' } },
    { type: 'approval.requested', sessionId, requestId: 'r2', approval: { id: 'apr-1', status: 'pending', expiresAt: '2025-05-20T15:00:00.000Z' } },
    { type: 'approval.decided', sessionId, requestId: 'r2', approval: { id: 'apr-1', status: 'denied', reviewer: { subject: 'dana', issuer: 'https://idp.example.com' }, reason: 'no WHERE clause' } },
  ]);
  const result = await cli(['sessions', 'export', '--from', day, '--to', day, '--out', 'export']);
  assert.equal(result.code, 0, result.stderr);
});

after(async () => {
  await azurite?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('portcullis sessions replay', () => {
  it('prints the timeline of a session from storage, and that its chain verifies', async () => {
    const result = await cli(['sessions', 'replay', sessionId]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `session ${sessionId}`);
    assert.equal(lines[1], day);
    assert.match(lines[2]!, /^ {2}14:00:00\.005 {2}#0 +session\.start +agent-1 {2}orders-api$/);
    assert.match(lines[3]!, /#1 +request +orders-api {2}GET \/orders\/r1 {2}7 B$/);
    assert.match(lines[4]!, /#2 +decision +allow {2}rule rule-allow {2}"allow by test"$/);
    assert.match(lines[5]!, /#3 +response +200 {2}11 B {2}total 3ms$/);
    assert.match(lines[7]!, /#5 +decision +review {2}rule hold-deletes {2}"deletes need a human"$/);
    assert.match(lines[8]!, /#6 +approval\.requested +approval apr-1 {2}expires 2025-05-20T15:00:00\.000Z$/);
    assert.match(lines[9]!, /#7 +approval\.decided +denied {2}by dana {2}"no WHERE clause"$/);
    assert.equal(lines.at(-1), 'chain verifies (8 events)');
    assert.ok(!result.stdout.includes('\x1b['));
  });

  it('colours the timeline on a terminal', async () => {
    const result = await cli(['sessions', 'replay', sessionId], { isTTY: true });
    assert.ok(result.stdout.includes('\x1b[33mreview\x1b[0m'));
  });

  it('reads one day with --date, and an export with --dir, to the same timeline', async () => {
    const fromStorage = await cli(['sessions', 'replay', sessionId]);
    const oneDay = await cli(['sessions', 'replay', sessionId, '--date', day]);
    const fromExport = await cli(['sessions', 'replay', sessionId, '--dir', 'export']);
    assert.equal(oneDay.stdout, fromStorage.stdout);
    assert.equal(fromExport.stdout, fromStorage.stdout);
    const otherDay = await cli(['sessions', 'replay', sessionId, '--date', '2025-05-21']);
    assert.equal(otherDay.code, 1);
    assert.equal(otherDay.stderr, `no session ${sessionId} on 2025-05-21\n`);
  });

  it('ends with the first broken line and exits 1 when the chain does not verify', async () => {
    const path = blobPath(day, sessionId);
    const file = join(work, 'export', path);
    await writeFile(file, (await readFile(file, 'utf8')).replace('deletes need a human', 'deletes need a robot'));
    const result = await cli(['sessions', 'replay', sessionId, '--dir', 'export']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout.trimEnd().split('\n').at(-1), `chain does not verify: ${path}:6 hash does not match the line (its content was changed)`);
  });

  it('answers exit 1 for an unknown session and exit 2 for a bad id or date', async () => {
    const unknown = await cli(['sessions', 'replay', 'never-recorded']);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'no session never-recorded\n']);
    assert.equal((await cli(['sessions', 'replay', 'a/b'])).code, 2);
    assert.equal((await cli(['sessions', 'replay', sessionId, '--date', 'yesterday'])).code, 2);
    assert.equal((await cli(['sessions', 'replay', sessionId, '--dir', 'export', '--connection-string', 'x'])).code, 2);
  });
});
