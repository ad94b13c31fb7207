import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMasker } from '../masking/index.js';
import type { Connection } from './connection.js';
import { Refusal } from '../platform/problem.js';
import type { ForwardContext } from './kind.js';
import { resolveTarget } from './target.js';
import { CREDENTIAL_RULE, callRenewing, prepareCall } from './upstream.js';

const connection = (format: string): Connection =>
  ({
    name: 'api',
    config: { kind: 'http', upstream: 'https://api.example', passBinary: false, default: 'deny', credential: { env: 'T', header: 'X-Key', format } },
  }) as Connection;

const context = (format: string, secret: string): ForwardContext => ({
  requestId: 'r-1',
  connection: connection(format),
  tier: 'write',
  credential: async () => secret,
  judgeToolCall: () => ({ action: 'allow', rule: 'default', reason: '' }),
  masker: createMasker(),
  timeoutMs: 1_000,
  publicUrl: 'http://gateway',
  captureBytes: 1024,
  maxBodyBytes: 1024,
});

const request = (headers: Record<string, string> = {}) => ({
  method: 'GET',
  target: resolveTarget('https://api.example', 'x', ''),
  headers: new Headers(headers),
  body: { bytes: new Uint8Array(), length: 0 },
});

describe('prepareCall', () => {
  it('sends the credential in the configured header, literally, and drops the agent\'s', async () => {
    const call = await prepareCall(request({ authorization: 'Bearer agent', 'x-key': 'agent-key' }), context('Key {value}', 'pa$&ss$1'));
    assert.equal(call.headers.get('x-key'), 'Key pa$&ss$1');
    assert.equal(call.headers.get('authorization'), null);
  });

  it('gives a masker for the answer that masks the raw credential it sends, and nothing else new', async () => {
    const secret = randomBytes(16).toString('base64');
    const call = await prepareCall(request(), context('Bearer {value}', secret));
    assert.equal(call.masker.text(`invalid credential Bearer ${secret}.`).text, `invalid credential Bearer [MASKED:${CREDENTIAL_RULE}].`);
    assert.equal(call.masker.text('no echo here').text, 'no echo here');
  });

  it('refuses a credential with control characters without quoting it', async () => {
    const secret = 'line1\r\nX-Injected: yes';
    await assert.rejects(prepareCall(request(), context('{value}', secret)), (e: unknown) => {
      assert.ok(e instanceof Refusal);
      assert.equal(e.type, 'credential-unavailable');
      assert.ok(!JSON.stringify({ ...e, message: e.message }).includes('line1'));
      return true;
    });
  });
});

describe('callRenewing', () => {
  /** An upstream that takes only the newest token, and a context whose credential is OAuth (renewable) or a stored secret. */
  async function setup(credential: Record<string, unknown>) {
    const { createServer } = await import('node:http');
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(req.headers.authorization === 'Bearer new' ? 200 : 401).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstream = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    const renewals: boolean[] = [];
    const ctx: ForwardContext = {
      ...context('Bearer {value}', ''),
      connection: { name: 'api', config: { kind: 'http', upstream, passBinary: false, default: 'deny', credential: { header: 'Authorization', format: 'Bearer {value}', ...credential } } } as Connection,
      credential: async (renew) => {
        renewals.push(renew === true);
        return renew ? 'new' : 'old';
      },
    };
    const req = (body?: ReadableStream<Uint8Array>) => ({ method: 'POST', target: resolveTarget(upstream, 'x', ''), headers: new Headers(), body: body ? { stream: body, length: -1 } : { bytes: new Uint8Array([1]), length: 1 } });
    return { seen, renewals, ctx, req, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }
  const oauth = { oauth: { tokenUrl: 'https://login.example/token', clientId: 'c', clientSecret: { env: 'S' }, clientAuth: 'basic' } };

  it('sends a request once more with a renewed OAuth token when the upstream answers 401', async (t) => {
    const s = await setup(oauth);
    t.after(s.close);
    const { response } = await callRenewing(s.req(), s.ctx);
    assert.equal(response.status, 200);
    assert.deepEqual(s.seen, ['Bearer old', 'Bearer new']);
    assert.deepEqual(s.renewals, [false, true]);
  });

  it('does not retry a stored secret, nor a body that was streamed', async (t) => {
    const stored = await setup({ env: 'T' });
    t.after(stored.close);
    assert.equal((await callRenewing(stored.req(), stored.ctx)).response.status, 401);
    assert.deepEqual(stored.seen, ['Bearer old']);
    const streamed = await setup(oauth);
    t.after(streamed.close);
    const body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array([1])), c.close()) });
    assert.equal((await callRenewing(streamed.req(body), streamed.ctx)).response.status, 401);
    assert.deepEqual(streamed.seen, ['Bearer old']);
  });
});
