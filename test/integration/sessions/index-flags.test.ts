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

  it('finds a session by every principal and connection that used it, however many events came before', async () => {
    const recorder = createRecorder({ ...stores, maxPayloadBytes: 1024, log: memoryLogger() });
    const sessionId = uniqueId('users');
    await recorder.append(requestEvents(sessionId, 'r1', { subject: 'agent-1', connection: 'orders-api' }));
    await recorder.append(requestEvents(sessionId, 'r2', { subject: 'agent-1', connection: 'orders-api' }));
    await recorder.append(requestEvents(sessionId, 'r3', { subject: 'agent-2', connection: 'orders-api' }));
    await recorder.append(requestEvents(sessionId, 'r4', { subject: 'agent-1', connection: 'billing-api' }));
    await recorder.append(requestEvents(sessionId, 'r5', { subject: 'agent-1', connection: 'billing-api', action: 'deny' }));
    for (const filter of [{ principal: 'agent-1' }, { principal: 'agent-2' }, { connection: 'orders-api' }, { connection: 'billing-api' }, { connection: 'billing-api', decision: 'deny' as const }]) {
      assert.ok((await found(filter)).includes(sessionId), JSON.stringify(filter));
    }
    assert.ok(!(await found({ connection: 'orders-api', decision: 'deny' })).includes(sessionId));
  });
});
