// Scheduled messages and duplicate detection through the unmodified SDK.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { isServiceBusError, type ServiceBusClient, type ServiceBusReceiver } from '@azure/service-bus';
import { openBus, receive } from './harness.js';

test('a scheduled message is received only once its time has come', async (t) => {
  const { client } = await openBus(t, [{ name: 'timers' }]);
  const receiver = await openedReceiver(client);
  const at = new Date(Date.now() + 1_000);
  const [sequenceNumber] = await client.createSender('timers').scheduleMessages({ body: 'later' }, at);
  const [peeked] = await receiver.peekMessages(1);
  assert.equal(peeked!.state, 'scheduled');
  assert.equal(peeked!.sequenceNumber?.toNumber(), sequenceNumber!.toNumber());
  assert.deepEqual(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 }), []);

  const [message] = await receive(receiver, 1);
  assert.ok(Date.now() >= at.getTime());
  assert.equal(message!.body, 'later');
  assert.equal(message!.sequenceNumber?.toNumber(), sequenceNumber!.toNumber());
  assert.equal(message!.scheduledEnqueueTimeUtc?.getTime(), at.getTime());
  assert.ok(message!.enqueuedTimeUtc!.getTime() >= at.getTime());
});

test('a message sent with scheduledEnqueueTimeUtc waits for its time too', async (t) => {
  const { client } = await openBus(t, [{ name: 'timers' }]);
  const receiver = await openedReceiver(client);
  const at = new Date(Date.now() + 1_000);
  await client.createSender('timers').sendMessages({ body: 'later', scheduledEnqueueTimeUtc: at });
  assert.deepEqual(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 }), []);
  assert.deepEqual((await receive(receiver, 1)).map((m) => m.body), ['later']);
  assert.ok(Date.now() >= at.getTime());
});

test('cancelScheduledMessages removes a scheduled message before its time', async (t) => {
  const { client } = await openBus(t, [{ name: 'timers' }]);
  const sender = client.createSender('timers');
  const at = new Date(Date.now() + 1_000);
  const [cancelled] = await sender.scheduleMessages({ body: 'cancelled' }, at);
  await sender.scheduleMessages({ body: 'kept' }, at);
  await sender.cancelScheduledMessages(cancelled!);
  const received = await receive(client.createReceiver('timers'), 2, 2_500);
  assert.deepEqual(received.map((m) => m.body), ['kept']);
  // Nothing is scheduled under that number any more, as Service Bus reports.
  await assert.rejects(sender.cancelScheduledMessages(cancelled!), (error) => isServiceBusError(error) && error.code === 'MessageNotFound');
});

test('duplicate detection drops a repeated messageId within the window and accepts it after', async (t) => {
  const { client } = await openBus(t, [{ name: 'events', duplicateDetectionWindowMs: 1_000 }]);
  const sender = client.createSender('events');
  await sender.sendMessages({ body: 'first', messageId: 'approval-1:requested' });
  // The sender sees success either way, as against Azure: the repeat is accepted, then dropped.
  await sender.sendMessages({ body: 'repeat', messageId: 'approval-1:requested' });
  await sender.sendMessages({ body: 'other', messageId: 'approval-1:decided' });
  await sleep(1_100);
  await sender.sendMessages({ body: 'after the window', messageId: 'approval-1:requested' });
  const received = await receive(client.createReceiver('events', { receiveMode: 'receiveAndDelete' }), 4, 1_000);
  assert.deepEqual(received.map((m) => m.body), ['first', 'other', 'after the window']);
});

test('a queue with a zero window keeps every repeat', async (t) => {
  const { client } = await openBus(t, [{ name: 'events', duplicateDetectionWindowMs: 0 }]);
  await client.createSender('events').sendMessages([{ body: 1, messageId: 'same' }, { body: 2, messageId: 'same' }]);
  assert.deepEqual((await receive(client.createReceiver('events'), 2)).map((m) => m.body), [1, 2]);
});

/** A receiver on 'timers' with its links already attached, so waits measure the schedule, not link setup. */
async function openedReceiver(client: ServiceBusClient): Promise<ServiceBusReceiver> {
  const receiver = client.createReceiver('timers');
  assert.deepEqual(await receiver.receiveMessages(1, { maxWaitTimeInMs: 50 }), []);
  assert.deepEqual(await receiver.peekMessages(1), []);
  return receiver;
}
