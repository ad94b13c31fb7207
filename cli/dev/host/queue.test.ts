import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceBusClient } from '@azure/service-bus';
import { defineQueue, type QueueHandler } from '../../../shared/platform/triggers.js';
import { memoryLogger } from '../../../shared/platform/log.js';
import { startServiceBusDouble, type ServiceBusDouble } from '../servicebus/index.js';
import { startHost, type LocalHost } from './index.js';

const MAX = 3;
let bus: ServiceBusDouble;
let client: ServiceBusClient;

before(async () => {
  bus = await startServiceBusDouble({
    queues: ['ok', 'flaky', 'broken'].map((name) => ({ name, maxDeliveryCount: MAX, lockDurationMs: 5_000 })),
  });
  client = new ServiceBusClient(bus.connectionString);
});

after(async () => {
  await client.close();
  await bus.close();
});

interface Call {
  body: unknown;
  messageId: unknown;
  deliveryCount: unknown;
}

async function withHost(queueName: string, handler: QueueHandler, run: () => Promise<void>): Promise<LocalHost> {
  const hostClient = new ServiceBusClient(bus.connectionString);
  const host = await startHost({
    functions: [defineQueue({ name: `on-${queueName}`, queueName, connection: 'ServiceBusConnection', handler })],
    log: memoryLogger(),
    serviceBus: { client: hostClient, maxDeliveryCount: () => MAX },
  });
  try {
    await run();
  } finally {
    await host.close();
    await hostClient.close();
  }
  return host;
}

const waitFor = async (condition: () => boolean, what: string, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

async function queueIsEmpty(queue: string, subQueueType?: 'deadLetter') {
  const receiver = client.createReceiver(queue, subQueueType ? { subQueueType } : {});
  try {
    return (await receiver.peekMessages(10)).length === 0;
  } finally {
    await receiver.close();
  }
}

describe('local host: Service Bus queue triggers', () => {
  it('passes the body and trigger metadata, and completes the message on success', async () => {
    const calls: Call[] = [];
    await withHost(
      'ok',
      async (body, ctx) => {
        calls.push({ body, messageId: ctx.triggerMetadata?.messageId, deliveryCount: ctx.triggerMetadata?.deliveryCount });
      },
      async () => {
        await client.createSender('ok').sendMessages({ body: { hello: 'world' }, messageId: 'm-1' });
        await waitFor(() => calls.length === 1, 'the handler');
        await new Promise((r) => setTimeout(r, 200));
      },
    );
    assert.deepEqual(calls, [{ body: { hello: 'world' }, messageId: 'm-1', deliveryCount: 1 }]);
    assert.ok(await queueIsEmpty('ok'), 'completed messages leave the queue');
  });

  it('abandons a message whose handler throws, so it is delivered again', async () => {
    const calls: Call[] = [];
    await withHost(
      'flaky',
      async (body, ctx) => {
        calls.push({ body, messageId: ctx.triggerMetadata?.messageId, deliveryCount: ctx.triggerMetadata?.deliveryCount });
        if (calls.length === 1) throw new Error('transient failure');
      },
      async () => {
        await client.createSender('flaky').sendMessages({ body: 'again', messageId: 'm-2' });
        await waitFor(() => calls.length === 2, 'the redelivery');
        await new Promise((r) => setTimeout(r, 200));
      },
    );
    assert.deepEqual(
      calls.map((c) => c.deliveryCount),
      [1, 2],
    );
    assert.ok(await queueIsEmpty('flaky'));
    assert.ok(await queueIsEmpty('flaky', 'deadLetter'));
  });

  it('dead-letters a message once its deliveries reach the queue maximum', async () => {
    let calls = 0;
    await withHost(
      'broken',
      async () => {
        calls++;
        throw new Error('always fails');
      },
      async () => {
        await client.createSender('broken').sendMessages({ body: 'poison', messageId: 'm-3' });
        await waitFor(() => calls === MAX, 'every delivery');
        await new Promise((r) => setTimeout(r, 300));
      },
    );
    assert.equal(calls, MAX);
    const dlq = client.createReceiver('broken', { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2_000 });
    await dlq.close();
    assert.equal(dead?.body, 'poison');
    assert.equal(dead?.deadLetterReason, 'MaxDeliveryCountExceeded');
    assert.equal(dead?.deadLetterErrorDescription, 'always fails');
    assert.ok(await queueIsEmpty('broken'));
  });
});
