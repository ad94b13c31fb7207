// Starts the local stack for an integration test: random ports, a temporary state folder and
// policy file, and settings overrides. One stack per test file (the app's runtime is per process).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../cli/dev/stack.js';
import assert from 'node:assert/strict';
import { memoryLogger } from '../../shared/platform/log.js';
import { BlobServiceClient } from '@azure/storage-blob';
import { blobPath, SESSION_CONTAINER, type SessionEvent, type SessionRecord } from '../../shared/sessions/index.js';

export interface TestStack extends Stack {
  log: ReturnType<typeof memoryLogger>;
  policyPath: string;
  /** Replaces the policy file; the gateway picks it up on its next refresh. */
  writePolicy(text: string): Promise<void>;
}

export async function startTestStack(options: { policy: string; env?: Record<string, string>; tls?: boolean }): Promise<TestStack> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-test-'));
  const policyPath = join(dir, 'policy.yaml');
  await writeFile(policyPath, options.policy);
  const log = memoryLogger();
  const stack = await startStack({ port: 0, stateDir: join(dir, 'state'), policy: policyPath, env: options.env, tls: options.tls, log }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    ...stack,
    log,
    policyPath,
    writePolicy: (text) => writeFile(policyPath, text),
    async stop() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A session's events read as an auditor (of the group `auditors`), asserting that its chain verifies. */
export async function verifiedSessionEvents(stack: Pick<TestStack, 'url' | 'token'>, session: string): Promise<SessionEvent[]> {
  const auditor = await stack.token('auditor-1', ['auditors']);
  const res = await fetch(`${stack.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${auditor}` } });
  assert.equal(res.status, 200);
  const record = (await res.json()) as SessionRecord;
  assert.ok(record.verified, 'the session chain verifies');
  return record.events;
}

/**
 * A session's event types today as storage has them now (no auditor read, which first writes what
 * waits in the gateway), and the blob's committed blocks.
 */
export async function storedSession(stack: Pick<TestStack, 'azurite'>, session: string): Promise<{ types: string[]; blocks: number }> {
  const blob = BlobServiceClient.fromConnectionString(stack.azurite.connectionString)
    .getContainerClient(SESSION_CONTAINER)
    .getAppendBlobClient(blobPath(new Date().toISOString().slice(0, 10), session));
  const [text, properties] = await Promise.all([blob.downloadToBuffer(), blob.getProperties()]);
  const events = text.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as SessionEvent);
  return { types: events.map((e) => e.type), blocks: properties.blobCommittedBlockCount! };
}

/**
 * The gateway's own APIs over its plain loopback listener, for a stack served over TLS whose dev
 * CA this process does not trust: a GET, or a POST of `body` as JSON, with `token`.
 */
export function loopbackApi(stack: Pick<TestStack, 'issuerUrl'>) {
  const call = (path: string, token: string, body?: unknown): Promise<Response> =>
    fetch(`${new URL(stack.issuerUrl).origin}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    call,
    async sessionEvents(sessionId: string, auditor: string): Promise<SessionEvent[]> {
      const res = await call(`/api/sessions/${sessionId}`, auditor);
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as SessionRecord).events;
    },
  };
}

/**
 * Approves `approval` as rita of `reviewers`, then waits (up to 30 s) until the agent's view of it
 * (`statusUrl`) no longer answers 202: the approved request was carried out, or failed.
 */
export async function approveAndAwait(stack: Pick<TestStack, 'url' | 'token'>, approval: string, agentToken: string, statusUrl = `${stack.url}/api/approvals/${approval}`): Promise<void> {
  const reviewer = await stack.token('rita', ['reviewers']);
  const decided = await fetch(`${stack.url}/api/approvals/${approval}/decision`, {
    method: 'POST',
    headers: { authorization: `Bearer ${reviewer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ decision: 'approve' }),
  });
  assert.equal(decided.status, 200, await decided.text());
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(statusUrl, { headers: { authorization: `Bearer ${agentToken}` } });
    await res.arrayBuffer();
    if (res.status !== 202 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The issuer block every test policy starts with: the stack's dev issuer. */
export const DEV_ISSUER_POLICY = `version: 1
issuers:
  - issuer: \${PORTCULLIS_DEV_ISSUER}
    audience: portcullis
    jwksUri: \${PORTCULLIS_DEV_ISSUER}/jwks.json
    algorithms: [ES256]
`;

/** One http connection `api` to TEST_UPSTREAM on which agents may do anything, and the group `auditors`. */
export const AGENTS_API_POLICY = `${DEV_ISSUER_POLICY}
auditors:
  groups: [auditors]
connections:
  api: { kind: http, upstream: "\${TEST_UPSTREAM}" }
rules:
  - { name: agents, match: { groups: agents }, action: allow }
`;
