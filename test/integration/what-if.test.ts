// `portcullis policy what-if` on sessions recorded through the real pipeline: requests that were
// allowed, denied and held for review are re-decided under a candidate policy, from the storage
// account (--from/--to) and from exported files (--sessions DIR), older events included.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import type { SessionEvent } from '../../shared/sessions/index.js';
import { DEV_ISSUER_POLICY, startTestStack, type TestStack } from '../support/stack.js';
import { startTestUpstream, type TestUpstream } from '../support/upstream.js';

const CONNECTIONS = `
connections:
  api:
    kind: http
    upstream: \${TEST_UPSTREAM}
`;

const LIVE = `${DEV_ISSUER_POLICY}${CONNECTIONS}
rules:
  - { name: reads, match: { method: GET }, action: allow }
  - { name: item-writes, match: { method: POST, path: /items/** }, action: allow }
  - { name: review-deletes, match: { method: DELETE }, action: review, review: { groups: [reviewers] } }
  - { name: no-admin, match: { path: /admin/** }, action: deny }
`;

// Reports stay deny; /items/2 is now off limits to other repositories (claims); deletes are
// allowed; a write whose body asks to drop something is denied (re-decided from the recorded text).
const CANDIDATE = `${DEV_ISSUER_POLICY}${CONNECTIONS}
rules:
  - { name: reads, match: { method: GET }, action: allow }
  - { name: item-two, match: { path: /items/2, claims: { repository: "other-org/*" } }, action: deny }
  - { name: item-writes, match: { method: POST, path: /items/** }, action: allow }
  - { name: no-drops, match: { body: "(?i)\\\\bdrop\\\\b" }, action: deny }
  - { name: deletes, match: { method: DELETE }, action: allow }
  - { name: no-admin, match: { path: /admin/** }, action: deny }
`;

let stack: TestStack;
let upstream: TestUpstream;
let dir: string;
const statuses: number[] = [];

async function portcullis(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  // What the policies' \${NAME}s need, as CI would set them.
  const env = { PORTCULLIS_DEV_ISSUER: stack.issuerUrl, TEST_UPSTREAM: upstream.url, ...extra };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, isTTY: false, env, cwd: dir };
  const code = await main(args, io);
  return { code, out, err };
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-what-if-'));
  upstream = await startTestUpstream();
  stack = await startTestStack({ policy: LIVE, env: { TEST_UPSTREAM: upstream.url } });
  await writeFile(join(dir, 'candidate.yaml'), CANDIDATE);
  await writeFile(join(dir, 'live.yaml'), LIVE);
  const ours = await stack.token('agent-1', ['agents'], { claims: { repository: 'my-org/app' } });
  const theirs = await stack.token('agent-2', ['agents'], { claims: { repository: 'other-org/app' } });
  const send = async (token: string, method: string, path: string, body?: string) => {
    const res = await fetch(`${stack.url}/api/proxy/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'x-portcullis-session': `what-if-${statuses.length}`, 'content-type': 'text/plain' },
      body,
    });
    await res.arrayBuffer();
    statuses.push(res.status);
  };
  await send(ours, 'GET', '/items/1'); //        allow → allow
  await send(ours, 'GET', '/items/2'); //        allow → allow (item-two is for other repositories)
  await send(theirs, 'GET', '/items/2'); //      allow → deny  (item-two: the claim does not match)
  await send(ours, 'POST', '/items/9', 'please drop the table'); // allow → deny (no-drops, from the text)
  await send(ours, 'DELETE', '/items/1'); //     review → allow
  await send(ours, 'GET', '/admin/users'); //    deny → deny
});

after(async () => {
  await stack?.stop();
  await upstream?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('policy what-if', () => {
  it('the live policy allowed, held and denied as planned', () => {
    assert.deepEqual(statuses, [200, 200, 200, 200, 202, 403]);
  });

  it('re-decides every recorded request from the storage account and counts each change (exit 1)', async () => {
    const storage = ['--connection-string', stack.azurite.connectionString];
    const { code, out, err } = await portcullis(['policy', 'what-if', '--policy', 'candidate.yaml', '--from', day(-1), '--to', day(1), '--json', ...storage]);
    assert.equal(code, 1, out + err);
    const report = JSON.parse(out) as {
      decisions: number;
      changed: Record<string, number>;
      unchanged: number;
      notRedecidable: { count: number };
      changes: Array<{ change: string; subject: string; summary: string; before: { rule: string }; after: { rule: string }; approximate?: string[] }>;
    };
    assert.equal(report.decisions, 6);
    assert.deepEqual(report.changed, { 'allow→review': 0, 'allow→deny': 2, 'review→allow': 1, 'review→deny': 0, 'deny→allow': 0, 'deny→review': 0 });
    assert.equal(report.unchanged, 3);
    assert.equal(report.notRedecidable.count, 0);
    const byRule = report.changes.map((c) => `${c.change} ${c.subject} ${c.summary} ${c.before.rule}→${c.after.rule}`).sort();
    assert.deepEqual(byRule, [
      'allow→deny agent-1 POST /items/9 item-writes→no-drops',
      'allow→deny agent-2 GET /items/2 reads→item-two',
      'review→allow agent-1 DELETE /items/1 review-deletes→deletes',
    ]);
  });

  it('exits 0 when no change is one that --fail-on names, and when the candidate is the live policy', async () => {
    const storage = ['--connection-string', stack.azurite.connectionString];
    const failOn = await portcullis(['policy', 'what-if', '--policy', 'candidate.yaml', '--from', day(-1), '--to', day(1), '--fail-on', 'deny->allow,review->deny', ...storage]);
    assert.equal(failOn.code, 0, failOn.out + failOn.err);
    assert.match(failOn.out, /allow→deny +2/);
    assert.match(failOn.out, /3 decisions would change/);
    const same = await portcullis(['policy', 'what-if', '--policy', 'live.yaml', '--from', day(-1), '--to', day(1), ...storage]);
    assert.equal(same.code, 0, same.out + same.err);
    assert.match(same.out, /unchanged +6/);
    assert.match(same.out, /no decision would change/);
  });

  it('reads exported session files, and counts events recorded before the change as not re-decidable', async () => {
    const exported = join(dir, 'export');
    const exportRun = await portcullis(['sessions', 'export', '--from', day(-1), '--to', day(1), '--out', exported], { AzureWebJobsStorage: stack.azurite.connectionString });
    assert.equal(exportRun.code, 0, exportRun.err);
    // An event as older gateways wrote it: no claims, no method, path or text.
    const files = (await readdir(exported, { recursive: true })).filter((f) => f.endsWith('.jsonl'));
    const sample = (await readFile(join(exported, files[0]!), 'utf8')).split('\n').map((l) => (l ? (JSON.parse(l) as SessionEvent) : undefined));
    const decision = sample.find((e) => e?.type === 'decision')!;
    const { method: _m, path: _p, query: _q, headers: _h, text: _t, masked: _x, ...oldOperation } = decision.operation!;
    const { claims: _c, kind: _k, ...oldPrincipal } = decision.principal!;
    await writeFile(join(exported, 'older.jsonl'), `${JSON.stringify({ ...decision, principal: oldPrincipal, operation: oldOperation })}\n`);

    const { code, out } = await portcullis(['policy', 'what-if', '--policy', 'candidate.yaml', '--sessions', 'export']);
    assert.equal(code, 1, out);
    assert.match(out, /^7 recorded decisions in \d+ session files \(export\), re-decided under candidate\.yaml:$/m);
    assert.match(out, /^ {2}not re-decidable +1$/m);
    assert.match(out, /recorded without the claims and operation fields/);
    assert.match(out, /allow→deny +2/);
    assert.match(out, /review→allow +1/);
  });

  it('records the principal\'s claims and the operation\'s fields on decision events, masked', async () => {
    const exported = join(dir, 'export');
    const files = (await readdir(exported, { recursive: true })).filter((f) => f.endsWith('.jsonl') && f !== 'older.jsonl');
    const events = (await Promise.all(files.map((f) => readFile(join(exported, f), 'utf8'))))
      .flatMap((text) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SessionEvent))
      .filter((e) => e.type === 'decision');
    const post = events.find((e) => e.operation?.method === 'POST')!;
    assert.equal(post.principal?.claims?.repository, 'my-org/app');
    assert.equal(post.principal?.kind, 'workload');
    assert.equal(post.principal?.claims?.exp, undefined);
    assert.deepEqual([post.operation?.path, post.operation?.text], ['/items/9', 'please drop the table']);
    assert.equal(post.operation?.headers?.authorization, undefined);
    assert.equal(post.operation?.headers?.['content-type'], 'text/plain');
  });
});
