// Session owners across instances: each instance has its own cache, the Table decides.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { devAccount, startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { Refusal } from '../../../shared/platform/problem.js';
import { RecordingError } from '../../../shared/sessions/index.js';
import { createSessionOwners } from '../../../shared/sessions/owners.js';
import { tableClients, uniqueId } from './helpers.js';

let azurite: Azurite;

before(async () => {
  azurite = await startAzurite();
});

after(async () => {
  await azurite?.stop();
});

const ownedByAnother = (error: unknown) => error instanceof Refusal && error.status === 409 && error.type === 'session-owned-by-another-principal';

describe('session owners', () => {
  it('lets exactly one of many instances and principals claiming a session at once own it', async () => {
    const sessionId = uniqueId('race');
    const claims = Array.from({ length: 12 }, (_, i) => {
      const instance = createSessionOwners(tableClients(azurite));
      return instance.claim(sessionId, { issuer: 'https://idp', subject: `p${i % 4}` }).then(
        () => `p${i % 4}`,
        (error: unknown) => (ownedByAnother(error) ? undefined : Promise.reject(error)),
      );
    });
    const winners = (await Promise.all(claims)).filter((w) => w !== undefined);
    assert.equal(new Set(winners).size, 1);
    assert.equal(winners.length, 3, 'every claim of the owner succeeds');
    // A fresh instance (empty cache) agrees.
    const fresh = createSessionOwners(tableClients(azurite));
    await fresh.claim(sessionId, { issuer: 'https://idp', subject: winners[0]! });
    await assert.rejects(fresh.claim(sessionId, { issuer: 'https://idp', subject: winners[0] === 'p0' ? 'p1' : 'p0' }), ownedByAnother);
  });

  it('tells principals apart by issuer as well as subject', async () => {
    const sessionId = uniqueId('issuer');
    const owners = createSessionOwners(tableClients(azurite));
    await owners.claim(sessionId, { issuer: 'https://a', subject: 'same' });
    await assert.rejects(owners.claim(sessionId, { issuer: 'https://b', subject: 'same' }), ownedByAnother);
  });

  it('rejects with a RecordingError when the Table cannot be reached', async () => {
    const unreachable = `DefaultEndpointsProtocol=http;AccountName=${devAccount.name};AccountKey=${devAccount.key};TableEndpoint=http://127.0.0.1:1/${devAccount.name};`;
    const owners = createSessionOwners(tableClients({ connectionString: unreachable }));
    await assert.rejects(owners.claim(uniqueId('down'), { issuer: 'https://idp', subject: 'a' }), RecordingError);
  });
});
