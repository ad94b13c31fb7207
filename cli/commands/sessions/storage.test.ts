import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../io.js';
import { parseDay } from './dates.js';
import { storageSettings } from './storage.js';

describe('sessions storage options', () => {
  it('prefers --connection-string to the environment', () => {
    assert.deepEqual(storageSettings({ 'connection-string': 'flag' }, { AzureWebJobsStorage: 'env' }), { kind: 'connectionString', connectionString: 'flag' });
    assert.deepEqual(storageSettings({}, { AzureWebJobsStorage: 'env' }), { kind: 'connectionString', connectionString: 'env' });
  });

  it('signs in to an --account-url and derives its table endpoint', () => {
    assert.deepEqual(storageSettings({ 'account-url': 'https://auditlogs.blob.core.windows.net/' }, { AzureWebJobsStorage: 'env' }), {
      kind: 'identity',
      blobServiceUri: 'https://auditlogs.blob.core.windows.net',
      tableServiceUri: 'https://auditlogs.table.core.windows.net',
    });
  });

  it('refuses no storage, both flags, and an account URL that is not an https blob endpoint', () => {
    assert.throws(() => storageSettings({}, {}), UsageError);
    assert.throws(() => storageSettings({ 'connection-string': 'a', 'account-url': 'https://x1x.blob.core.windows.net' }, {}), /not both/);
    for (const url of ['http://acct.blob.core.windows.net', 'https://acct.table.core.windows.net', 'not a url']) {
      assert.throws(() => storageSettings({ 'account-url': url }, {}), UsageError, url);
    }
  });

  it('takes UTC days as YYYY-MM-DD only', () => {
    assert.equal(parseDay('2024-02-29', '--from'), '2024-02-29');
    for (const bad of ['2025-02-29', '2025-1-01', '01/02/2025', '2025-01-01T00:00:00Z']) {
      assert.throws(() => parseDay(bad, '--from'), UsageError, bad);
    }
  });
});
