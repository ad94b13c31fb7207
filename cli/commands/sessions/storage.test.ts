import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../io.js';
import { parseDay, parseDayRange } from './dates.js';
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

  it('finds the local stack from its state folder when nothing else says which storage', () => {
    const local = { file: '.portcullis/dev.json', storage: { connectionString: 'from-dev', blobEndpoint: 'http://127.0.0.1:5001/devstoreaccount1', tableEndpoint: 'http://127.0.0.1:5003/devstoreaccount1' } };
    assert.deepEqual(storageSettings({}, {}, local), { kind: 'connectionString', connectionString: 'from-dev' });
    assert.deepEqual(storageSettings({}, { AzureWebJobsStorage: 'env' }, local), { kind: 'connectionString', connectionString: 'env' });
  });

  it('says what it tried when it finds no storage', () => {
    assert.throws(() => storageSettings({}, {}, { file: 'state/dev.json' }), (error: Error) => {
      assert.match(error.message, /--connection-string/);
      assert.match(error.message, /--account-url/);
      assert.match(error.message, /AzureWebJobsStorage/);
      assert.match(error.message, /state\/dev\.json/);
      return true;
    });
  });

  it('reads Azurite at an http --account-url with its well-known account, its table endpoint from the local stack', () => {
    const local = { file: '.portcullis/dev.json', storage: { connectionString: 'x', blobEndpoint: 'http://127.0.0.1:5001/devstoreaccount1', tableEndpoint: 'http://127.0.0.1:5003/devstoreaccount1' } };
    const settings = storageSettings({ 'account-url': 'http://127.0.0.1:5001/devstoreaccount1' }, {}, local);
    assert.equal(settings.kind, 'connectionString');
    const cs = (settings as { connectionString: string }).connectionString;
    assert.match(cs, /AccountName=devstoreaccount1;/);
    assert.match(cs, /BlobEndpoint=http:\/\/127\.0\.0\.1:5001\/devstoreaccount1;/);
    assert.match(cs, /TableEndpoint=http:\/\/127\.0\.0\.1:5003\/devstoreaccount1;/);
    const wellKnown = storageSettings({ 'account-url': 'http://127.0.0.1:10000/devstoreaccount1' }, {}, { file: 'x' });
    assert.match((wellKnown as { connectionString: string }).connectionString, /TableEndpoint=http:\/\/127\.0\.0\.1:10002\/devstoreaccount1;/);
    assert.throws(() => storageSettings({ 'account-url': 'http://127.0.0.1:4242' }, {}, { file: 'x' }), /table endpoint .* not known .*--connection-string/);
  });

  it('takes UTC days as YYYY-MM-DD only', () => {
    assert.equal(parseDay('2024-02-29', '--from'), '2024-02-29');
    for (const bad of ['2025-02-29', '2025-1-01', '01/02/2025', '2025-01-01T00:00:00Z']) {
      assert.throws(() => parseDay(bad, '--from'), UsageError, bad);
    }
  });

  it('takes a range of at most 366 days, both included, unless --max-days allows more', () => {
    assert.deepEqual(parseDayRange({ from: '2024-01-01', to: '2024-12-31' }), { from: '2024-01-01', to: '2024-12-31' });
    assert.throws(() => parseDayRange({ from: '2024-01-01', to: '2025-01-01' }), /spans 367 days, more than 366: .* --max-days 367/);
    assert.deepEqual(parseDayRange({ from: '2024-01-01', to: '2025-01-01', 'max-days': '367' }), { from: '2024-01-01', to: '2025-01-01' });
    assert.throws(() => parseDayRange({ from: '2024-01-02', to: '2024-01-03', 'max-days': '1' }), /spans 2 days, more than 1/);
    assert.throws(() => parseDayRange({ from: '2024-01-02', to: '2024-01-01' }), /--from 2024-01-02 is after --to 2024-01-01/);
    for (const bad of ['0', '-1', '1.5', '', 'ten']) {
      assert.throws(() => parseDayRange({ from: '2024-01-01', to: '2024-01-01', 'max-days': bad }), /--max-days ".*" is not a number of days/, bad);
    }
  });
});
