import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { createMasker } from '../masking/index.js';
import { headerRecord, maskedHeaderValue, upstreamRequestHeaders } from './headers.js';

describe('headers to the upstream', () => {
  const forwarded = (headers: Record<string, string>) => [...upstreamRequestHeaders(new Headers(headers)).keys()].filter((name) => name !== 'accept-encoding');

  it('drops overrides, client addresses and credentials spelled with underscores, as CGI-style servers read them', () => {
    assert.deepEqual(
      forwarded({
        X_HTTP_Method_Override: 'DELETE', X_Forwarded_For: '10.0.0.1', x_original_url: '/admin', X_Api_Key: 'agent-key',
        Proxy_Authorization: 'x', X_PORTCULLIS_SESSION: 's', x_ms_client_principal: 'p', 'x-trace': 't', x_custom: 'kept',
      }),
      ['x-trace', 'x_custom'],
    );
  });

  it('drops the client-address headers of other proxies and CDNs', () => {
    const names = ['true-client-ip', 'cf-connecting-ip', 'fastly-client-ip', 'x-cluster-client-ip', 'x-original-forwarded-for', 'x-forwarded-server', 'x-original-host'];
    assert.deepEqual(forwarded(Object.fromEntries(names.map((name) => [name, '10.0.0.1']))), []);
  });

  it('drops what the agent lists in Connection, in either spelling', () => {
    assert.deepEqual(forwarded({ connection: 'x-hop', x_hop: '1', 'x-trace': 't' }), ['x-trace']);
  });

  it('keeps credentials spelled with underscores out of what rules and the log see', () => {
    assert.deepEqual(headerRecord(new Headers({ api_key: 'k', X_API_KEY: 'k', 'x-trace': 't' })), { 'x-trace': 't' });
  });
});

describe('header values masked', () => {
  const masker = createMasker({});

  it('masks a value by its header name, however it reads, and leaves other headers as they are', () => {
    const token = `Summer${randomBytes(3).toString('hex')}`;
    for (const name of ['X-Subject-Token', 'Private-Token', 'x-auth-token', 'X-Vault-Token']) {
      const masked = maskedHeaderValue(masker, name, token);
      assert.ok(!masked.value.includes(token), name);
      assert.equal(masked.findings.length, 1, name);
    }
    for (const [name, value] of [['etag', 'W/"abc123456789"'], ['x-request-id', '0f8fad5b-d9cb-469f-a165-70867728950e'], ['content-type', 'application/json']]) {
      assert.deepEqual(maskedHeaderValue(masker, name!, value!), { value, findings: [] });
    }
  });
});
