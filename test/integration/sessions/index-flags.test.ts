// The session indexes keep every decision flag a session earns, in whatever order they come.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../cli/dev/azurite.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { createRecorder, querySessions, type SessionStores } from '../../../shared/sessions/index.js';
import { requestEvents, stores as storesOf, uniqueId } from './helpers.js';

let azurite: Azurite;
let stores: SessionStores;

before(async () => {
  azurite = await startAzurite();
  stores = storesOf(azurite);
});

after(async () => {
  await azurite?.stop();
});

const found = async (filter: Parameters<typeof querySessions>[1]) =>
  (await querySessions(stores, filter, { limit: 100 })).items.map((item) => item.sessionId);

describe('session index flags', () => {
  for (const order of [['deny', 'review'], ['review', 'deny']] as const) {
    it(`finds a session by both decisions when a ${order[1]} follows a ${order[0]} on the same connection`, async () => {
      const recorder = createRecorder({ ...stores, maxPayloadBytes: 1024, log: memoryLogger() });
      const sessionId = uniqueId(`flags-${order[0]}`);
      // Separate appends, as two requests of one agent would be.
      await recorder.append(requestEvents(sessionId, 'r1', { action: order[0], connection: 'orders-api' }));
      await recorder.append(requestEvents(sessionId, 'r2', { action: order[1], connection: 'orders-api' }));
      for (const decision of order) {
        assert.ok((await found({ connection: 'orders-api', decision })).includes(sessionId), `${decision} on orders-api`);
        assert.ok((await found({ decision })).includes(sessionId), decision);
      }
    });
  }
});
