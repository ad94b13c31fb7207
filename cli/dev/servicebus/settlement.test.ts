// Peek-lock settlement through the unmodified SDK: complete, abandon, dead-letter, max delivery
// count, lock expiry and renewal, lost locks, and locks released when a receiver goes away.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { isServiceBusError } from '@azure/service-bus';
import { openBus, receive } from './harness.js';

test('completing a peek-locked message removes it from the queue', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs' }]);
  await client.createSender('jobs').sendMessages({ body: 'job' });
  const receiver = client.createReceiver('jobs');
  const [message] = await receive(receiver, 1);
  await receiver.completeMessage(message!);
  assert.deepEqual(await receiver.peekMessages(10), []);
});

test('a peek-locked message is invisible to other receivers until it is settled', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs' }]);
  await client.createSender('jobs').sendMessages({ body: 'job' });
  const first = client.createReceiver('jobs');
  const [message] = await receive(first, 1);
  const second = client.createReceiver('jobs');
  assert.deepEqual(await second.receiveMessages(1, { maxWaitTimeInMs: 300 }), []);
  await first.abandonMessage(message!);
  assert.deepEqual((await receive(second, 1)).map((m) => m.body), ['job']);
});

test('abandoning redelivers the same message with its delivery count one higher', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs' }]);
  await client.createSender('jobs').sendMessages({ body: { task: 'resize' }, messageId: 'job-1' });
  const receiver = client.createReceiver('jobs');
  const [first] = await receive(receiver, 1);
  assert.equal(first!.deliveryCount, 0);
  await receiver.abandonMessage(first!);
  const [again] = await receive(receiver, 1);
  assert.equal(again!.deliveryCount, 1);
  assert.deepEqual(again!.body, { task: 'resize' });
  assert.equal(again!.messageId, 'job-1');
  assert.equal(again!.sequenceNumber?.toNumber(), first!.sequenceNumber?.toNumber());
  assert.notEqual(again!.lockToken, first!.lockToken);
});

test('dead-lettering with a reason moves the message to the dead-letter queue with reason and description', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs' }]);
  await client.createSender('jobs').sendMessages({ body: 'poison', messageId: 'p-1', applicationProperties: { kind: 'resize' } });
  const receiver = client.createReceiver('jobs');
  const [message] = await receive(receiver, 1);
  await receiver.deadLetterMessage(message!, { deadLetterReason: 'BadInput', deadLetterErrorDescription: 'width must be positive' });
  assert.deepEqual(await receiver.peekMessages(10), []);

  const deadLetters = client.createReceiver('jobs', { subQueueType: 'deadLetter' });
  const [dead] = await receive(deadLetters, 1);
  assert.equal(dead!.body, 'poison');
  assert.equal(dead!.messageId, 'p-1');
  assert.equal(dead!.deadLetterReason, 'BadInput');
  assert.equal(dead!.deadLetterErrorDescription, 'width must be positive');
  assert.equal(dead!.applicationProperties?.kind, 'resize');
  await deadLetters.completeMessage(dead!);
  assert.deepEqual(await deadLetters.peekMessages(10), []);
});

test('a message abandoned maxDeliveryCount times is dead-lettered with reason MaxDeliveryCountExceeded', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs', maxDeliveryCount: 3 }]);
  await client.createSender('jobs').sendMessages({ body: 'flaky' });
  const receiver = client.createReceiver('jobs');
  for (let delivery = 0; delivery < 3; delivery += 1) {
    const [message] = await receive(receiver, 1);
    assert.equal(message!.deliveryCount, delivery);
    await receiver.abandonMessage(message!);
  }
  assert.deepEqual(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 }), []);
  const [dead] = await receive(client.createReceiver('jobs', { subQueueType: 'deadLetter' }), 1);
  assert.equal(dead!.body, 'flaky');
  assert.equal(dead!.deadLetterReason, 'MaxDeliveryCountExceeded');
  assert.equal(dead!.deliveryCount, 3);
});

test('a message whose lock expires is redelivered with its delivery count one higher', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs', lockDurationMs: 300 }]);
  await client.createSender('jobs').sendMessages({ body: 'slow' });
  const receiver = client.createReceiver('jobs', { maxAutoLockRenewalDurationInMs: 0 });
  const [first] = await receive(receiver, 1);
  assert.ok(first!.lockedUntilUtc!.getTime() - Date.now() <= 300);
  const [again] = await receive(receiver, 1, 2_000);
  assert.equal(again!.body, 'slow');
  assert.equal(again!.deliveryCount, 1);
});

test('renewMessageLock extends the lock so the message is not redelivered', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs', lockDurationMs: 2_000 }]);
  await client.createSender('jobs').sendMessages({ body: 'long' });
  const receiver = client.createReceiver('jobs', { maxAutoLockRenewalDurationInMs: 0 });
  const [message] = await receive(receiver, 1);
  const firstUntil = message!.lockedUntilUtc!.getTime();
  // A second receiver, its link open before the first lock would end, watches for a redelivery.
  const watcher = client.createReceiver('jobs');
  assert.deepEqual(await watcher.receiveMessages(1, { maxWaitTimeInMs: 50 }), []);
  await sleep(1_000);
  const renewedUntil = await receiver.renewMessageLock(message!);
  assert.ok(renewedUntil.getTime() >= firstUntil + 900, `renewed to ${renewedUntil.toISOString()}`);
  assert.equal(message!.lockedUntilUtc!.getTime(), renewedUntil.getTime());
  await sleep(Math.max(firstUntil + 200 - Date.now(), 0));
  assert.deepEqual(await watcher.receiveMessages(1, { maxWaitTimeInMs: 100 }), []);
  await receiver.completeMessage(message!);
});

test('auto lock renewal keeps a message locked while its handler runs', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs', lockDurationMs: 400 }]);
  await client.createSender('jobs').sendMessages({ body: 'long' });
  const receiver = client.createReceiver('jobs');
  const handled = new Promise<number>((resolve, reject) => {
    receiver.subscribe(
      {
        processMessage: async (message) => {
          await sleep(1_000);
          // Completing succeeds only if the lock is still held, well past its 400 ms.
          await receiver.completeMessage(message);
          resolve(message.deliveryCount!);
        },
        processError: async ({ error }) => reject(error),
      },
      { autoCompleteMessages: false },
    );
  });
  assert.equal(await handled, 0);
  await receiver.close();
  assert.deepEqual(await client.createReceiver('jobs').peekMessages(10), []);
});

test('settling a message whose lock was lost raises MessageLockLost', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs', lockDurationMs: 200 }]);
  await client.createSender('jobs').sendMessages({ body: 'late' });
  const receiver = client.createReceiver('jobs', { maxAutoLockRenewalDurationInMs: 0 });
  const [message] = await receive(receiver, 1);
  await sleep(400);
  const lockLost = (error: unknown) => isServiceBusError(error) && error.code === 'MessageLockLost';
  await assert.rejects(receiver.completeMessage(message!), lockLost);
  await assert.rejects(receiver.renewMessageLock(message!), lockLost);
  // The message itself is back in the queue for the next receiver.
  assert.deepEqual((await receive(receiver, 1)).map((m) => m.deliveryCount), [1]);
});

test('closing a receiver returns its unsettled messages to the queue', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs' }]);
  await client.createSender('jobs').sendMessages([{ body: 'a' }, { body: 'b' }]);
  const receiver = client.createReceiver('jobs');
  assert.equal((await receive(receiver, 2)).length, 2);
  await receiver.close();
  const again = await receive(client.createReceiver('jobs'), 2);
  assert.deepEqual(again.map((m) => [m.body, m.deliveryCount]), [['a', 1], ['b', 1]]);
});

test('settling a message after its receiver closed raises MessageLockLost, through $management', async (t) => {
  const { client } = await openBus(t, [{ name: 'jobs' }]);
  await client.createSender('jobs').sendMessages({ body: 'orphan' });
  const first = client.createReceiver('jobs');
  const [message] = await receive(first, 1);
  await first.close();
  // With its link gone, the SDK settles by lock token over $management; the lock went with the link.
  const second = client.createReceiver('jobs', { receiveMode: 'receiveAndDelete' });
  await assert.rejects(
    client.createReceiver('jobs').completeMessage(message!),
    (error) => isServiceBusError(error) && error.code === 'MessageLockLost',
  );
  assert.deepEqual((await receive(second, 1)).map((m) => [m.body, m.deliveryCount]), [['orphan', 1]]);
});
