// Drain requests at the protocol level, with a bare rhea client: the SDK drains a receiver's
// leftover credit at the end of every receiveMessages() and waits for the answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rhea from 'rhea';
import { startServiceBusDouble } from './index.js';

test('a drain request is answered even when the transfers it crossed used up the credit', { timeout: 5_000 }, async (t) => {
  const double = await startServiceBusDouble({ queues: [{ name: 'q' }] });
  const connection = rhea.create_container().connect({ host: '127.0.0.1', port: double.port });
  t.after(async () => {
    await new Promise((resolve) => {
      connection.once('connection_close', resolve);
      connection.close();
    });
    await double.close();
  });
  const sender = connection.open_sender({ target: { address: 'q' } });
  await new Promise((resolve) => {
    sender.once('accepted', resolve);
    sender.once('sendable', () => sender.send({ body: 'only one' }));
  });

  const receiver = connection.open_receiver({ source: { address: 'q' }, credit_window: 0, autoaccept: false, rcv_settle_mode: 1 });
  const events: string[] = [];
  const drained = new Promise<void>((resolve) => {
    receiver.on('message', () => events.push('message'));
    receiver.once('receiver_drained', () => {
      events.push('drained');
      resolve();
    });
  });
  // One credit and a drain in the same flow: the one message uses the credit before the drain is answered.
  receiver.once('receiver_open', () => {
    receiver.add_credit(1);
    receiver.drain_credit();
  });
  await drained;
  assert.deepEqual(events, ['message', 'drained']);
});
