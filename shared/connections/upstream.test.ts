import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMasker } from '../masking/index.js';
import type { Connection } from './connection.js';
import { Refusal } from '../platform/problem.js';
import type { ForwardContext } from './kind.js';
import { resolveTarget } from './target.js';
import { CREDENTIAL_RULE, prepareCall } from './upstream.js';

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
