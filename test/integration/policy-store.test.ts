import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type Azurite } from '../../cli/dev/azurite.js';
import type { Policy } from '../../shared/policy/compile.js';
import { memoryLogger } from '../../shared/platform/log.js';
import { blobPolicySource, createPolicyStore, policySource, type PolicySource } from '../../shared/app/policy-store.js';
import { Refusal } from '../../shared/platform/problem.js';

const policyText = (rules: string) => `version: 1
issuers:
  - issuer: https://issuer.example
    audience: portcullis
    jwksUri: https://issuer.example/jwks
connections:
  api: { kind: http, upstream: "https://api.example" }
rules:
${rules}
`;
const ONE_RULE = policyText('  - { name: first, action: allow }');
const TWO_RULES = policyText('  - { name: first, action: allow }\n  - { name: second, action: deny }');
const BROKEN = policyText('  - { name: first, action: sometimes }');

function store(source: PolicySource, clock = { t: 0 }) {
  const log = memoryLogger();
  const s = createPolicyStore<Policy>({
    source,
    load: { env: 'production', variables: {} },
    refreshMs: 1_000,
    derive: (policy) => policy,
    log,
    now: () => clock.t,
  });
  return { store: s, log, clock };
}

describe('policy store: file source', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'policy-store-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('loads once for concurrent first requests, and every one of them gets the policy', async () => {
    const path = join(dir, 'concurrent.yaml');
    await writeFile(path, ONE_RULE);
    let reads = 0;
    const file = policySource(path, { getToken: async () => null });
    const counting: PolicySource = { ...file, read: () => (reads++, file.read()) };
    const { store: s } = store(counting);
    const results = await Promise.all(Array.from({ length: 20 }, () => s.current()));
    assert.equal(reads, 1);
    assert.ok(results.every((p) => p.rules.length === 1));
  });

  it('picks up a new version after the refresh interval, and keeps the last good one when the new one is invalid', async () => {
    const path = join(dir, 'versions.yaml');
    await writeFile(path, ONE_RULE);
    const { store: s, log, clock } = store(policySource(path, { getToken: async () => null }));
    assert.equal((await s.current()).rules.length, 1);

    await writeFile(path, TWO_RULES);
    await utimes(path, new Date(), new Date(Date.now() + 5_000));
    clock.t += 1_500;
    await s.refresh();
    assert.equal((await s.current()).rules.length, 2);

    await writeFile(path, BROKEN);
    await utimes(path, new Date(), new Date(Date.now() + 10_000));
    clock.t += 1_500;
    await s.refresh();
    assert.equal((await s.current()).rules.length, 2, 'the last good policy stays in force');
    const refused = log.lines.find((l) => l.level === 'error');
    assert.match(String(refused?.message), /refused/);
    assert.match(String(refused?.problems), /rules\[0\]\.action/);
  });

  it('refuses a policy file that is not UTF-8, saying where, instead of loading U+FFFD', async () => {
    const path = join(dir, 'latin1.yaml');
    // Latin-1 ñ: read as UTF-8 leniently, a deny rule on "contraseña" would never match.
    await writeFile(path, Buffer.from(policyText('  - { name: no-passwords, match: { body: "contraseña" }, action: deny }'), 'latin1'));
    const { store: s, log } = store(policySource(path, { getToken: async () => null }));
    await assert.rejects(s.current(), (e: unknown) => e instanceof Refusal && e.status === 503);
    assert.match(String(log.lines.find((l) => l.level === 'error')?.problems), /latin1\.yaml:9:51 {2}\(document\) {2}is not UTF-8: byte 0xF1/);
  });

  it('refuses requests (503) when no valid policy was ever loaded', async () => {
    const path = join(dir, 'broken.yaml');
    await writeFile(path, BROKEN);
    const { store: s } = store(policySource(path, { getToken: async () => null }));
    await assert.rejects(s.current(), (e: unknown) => e instanceof Refusal && e.status === 503 && e.type === 'policy-unavailable');
  });
});

describe('policy store: blob source', () => {
  let azurite: Azurite;
  before(async () => (azurite = await startAzurite()));
  after(() => azurite.stop());

  it('reloads a policy blob when its ETag changes, without a redeploy', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('policy');
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient('policy.yaml');
    await blob.upload(ONE_RULE, Buffer.byteLength(ONE_RULE));
    const { store: s, clock } = store(blobPolicySource(blob));
    assert.equal((await s.current()).rules.length, 1);
    await blob.upload(TWO_RULES, Buffer.byteLength(TWO_RULES));
    clock.t += 1_500;
    await s.refresh();
    assert.equal((await s.current()).rules.length, 2);
    await blob.upload(BROKEN, Buffer.byteLength(BROKEN));
    clock.t += 1_500;
    await s.refresh();
    assert.equal((await s.current()).rules.length, 2);
  });
});
