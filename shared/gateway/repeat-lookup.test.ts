// The repeat lookup (an approved, held answer for an identical request) on the live path: it runs
// while the request and its decision are appended, not after, and its answer is given only once
// they are durable; a refused request never looks one up, nor one on a connection where no rule
// can hold an answer; a failed append still refuses.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '../platform/azure-functions.js';
import type { Principal, Verifier } from '../identity/index.js';
import { createMasker } from '../masking/index.js';
import { memoryLogger } from '../platform/log.js';
import { Refusal } from '../platform/problem.js';
import { loadPolicy } from '../policy/load.js';
import type { EventInput, Recorder } from '../sessions/index.js';
import { handle, type GatewayDeps } from './pipeline.js';

let upstream: Server;
let upstreamUrl: string;
let forwarded = 0;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume().on('end', () => {
      forwarded += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }] }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(() => upstream.close());

const principal: Principal = { subject: 'agent-1', issuer: 'https://issuer.example', groups: ['agents'], claims: { sub: 'agent-1' }, kind: 'workload' };

function setup() {
  const loaded = loadPolicy(
    `version: 1
issuers:
  - { issuer: "https://issuer.example", audience: portcullis, jwksUri: "https://issuer.example/jwks" }
connections:
  llm: { kind: openai, upstream: "${upstreamUrl}/v1" }
  closed: { kind: openai, upstream: "${upstreamUrl}/v1" }
  plain: { kind: openai, upstream: "${upstreamUrl}/v1" }
rules:
  - { name: open, match: { connections: [llm, plain] }, action: allow }
  - { name: shut, match: { connections: closed }, action: deny }
  - { name: shell-calls, match: { connections: llm, toolCalls: { name: "run_*" } }, action: review, review: { groups: [reviewers] } }
`,
    { env: 'development', variables: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const state = { policy: loaded.policy, verifier: {} as Verifier, masker: createMasker(loaded.policy.masking) };
  // The request's append waits until the test settles it; later ones (the response) go through.
  const appends: Array<{ events: EventInput[]; resolve: () => void; reject: (error: Error) => void }> = [];
  const recorder: Recorder = {
    failures: 0,
    claim: async () => undefined, owns: () => true,
    settle: async () => undefined,
    append: (events) => (appends.length === 0 ? new Promise<void>((resolve, reject) => void appends.push({ events, resolve, reject })) : Promise.resolve()),
  };
  const repeats: string[] = [];
  const deps: GatewayDeps = {
    config: { maxBodyBytes: 1_000_000, recordMaxPayloadBytes: 65_536, upstreamTimeoutMs: 10_000, publicUrl: 'http://gateway.example', inspectionBudgetMs: 10_000 },
    log: memoryLogger(),
    recorder,
    credentials: { resolve: async () => '' },
    identify: async () => ({ principal, state }),
    current: async () => state,
    hold: async () => ({ status: 202 }),
    repeat: async ({ connection }) => {
      repeats.push(connection.name);
      return undefined;
    },
  };
  const call = (connection: string) =>
    handle(
      deps,
      'proxy',
      new HttpRequest({
        method: 'POST',
        url: `http://gateway.example/api/proxy/${connection}/chat/completions`,
        headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
        body: { string: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }) },
        params: { connection },
      }),
      new InvocationContext(),
    );
  return { appends, repeats, call, deps };
}

/** Lets the pipeline run until the request's append is asked for. */
async function untilAppending(appends: unknown[]): Promise<void> {
  for (let i = 0; i < 10_000 && appends.length === 0; i += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(appends.length, 1, 'the request and decision are being appended');
}

describe('repeat lookup', () => {
  it('runs while the request and decision are appended; nothing is forwarded or answered before they are durable', async () => {
    const { appends, repeats, call } = setup();
    const before = forwarded;
    const answer = call('llm');
    await untilAppending(appends);
    assert.deepEqual(repeats, ['llm'], 'looked up alongside the append');
    assert.equal(forwarded, before, 'nothing forwarded yet');
    appends[0]!.resolve();
    const response = await answer;
    assert.equal(response.status, 200);
    assert.equal(forwarded, before + 1);
  });

  it('a held answer found is given only once the append is durable, and not when it fails (strict)', async () => {
    const { appends, call, deps } = setup();
    deps.repeat = async () => ({ status: 200, body: 'held answer' });
    const answer = call('llm');
    await untilAppending(appends);
    let settled = false;
    void answer.then(() => (settled = true), () => (settled = true));
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'not answered while the append is pending');
    appends[0]!.reject(new Error('storage is down'));
    await assert.rejects(answer, (error) => error instanceof Refusal && error.status === 503);
  });

  it('is not looked up for a request the policy denies', async () => {
    const { appends, repeats, call } = setup();
    const answer = call('closed');
    await untilAppending(appends);
    appends[0]!.resolve();
    await assert.rejects(answer, (error) => error instanceof Refusal && error.status === 403);
    assert.deepEqual(repeats, []);
  });

  it('is not looked up on a connection where no rule can hold an answer (no storage round trip)', async () => {
    const { appends, repeats, call } = setup();
    const answer = call('plain');
    await untilAppending(appends);
    appends[0]!.resolve();
    assert.equal((await answer).status, 200);
    assert.deepEqual(repeats, []);
  });
});
