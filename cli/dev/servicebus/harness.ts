// What the double's tests share: a double and a real SDK client against it, closed together.
import { ServiceBusClient, type ServiceBusReceivedMessage, type ServiceBusReceiver } from '@azure/service-bus';
import type { TestContext } from 'node:test';
import { startServiceBusDouble, type QueueConfig, type ServiceBusDouble } from './index.js';

export interface Bus {
  double: ServiceBusDouble;
  client: ServiceBusClient;
}

/** Starts a double with these queues and a client on it; both close when the test ends. */
export async function openBus(t: TestContext, queues: QueueConfig[]): Promise<Bus> {
  const double = await startServiceBusDouble({ queues });
  // Few, quick retries: a failing test should fail in seconds, not minutes.
  const client = new ServiceBusClient(double.connectionString, { retryOptions: { maxRetries: 1, retryDelayInMs: 100 } });
  t.after(async () => {
    await client.close();
    await double.close();
  });
  return { double, client };
}

/** Receives until `count` messages have arrived (or `waitMs` has passed). */
export async function receive(receiver: ServiceBusReceiver, count: number, waitMs = 3_000): Promise<ServiceBusReceivedMessage[]> {
  const received: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + waitMs;
  while (received.length < count && Date.now() < deadline) {
    const batch = await receiver.receiveMessages(count - received.length, { maxWaitTimeInMs: Math.max(deadline - Date.now(), 1) });
    received.push(...batch);
  }
  return received;
}
