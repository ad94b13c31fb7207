// Runs Service Bus queue triggers the way the Functions extension does: peek-lock, complete on
// success, abandon on a throw, and dead-letter once the delivery count reaches the queue's
// maximum (so a message that keeps failing does not cycle forever).
//
// Settlements go out one at a time: rhea (under @azure/service-bus) merges dispositions of
// neighbouring deliveries settled in the same tick into one, with the first one's outcome.
import { InvocationContext } from '../../../shared/platform/azure-functions.js';
import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import type { QueueFunction } from '../../../shared/platform/triggers.js';
import type { Logger } from '../../../shared/platform/log.js';
import { invocationLog } from './invocation-log.js';

export interface QueueTriggerOptions {
  /** Per queue: the max delivery count it is declared with. */
  maxDeliveryCount: (queueName: string) => number;
  maxConcurrentCalls?: number;
}

export interface RunningQueueTriggers {
  close(): Promise<void>;
}

export function startQueueTriggers(
  client: ServiceBusClient,
  functions: QueueFunction[],
  options: QueueTriggerOptions,
  log: Logger,
): RunningQueueTriggers {
  const receivers: ServiceBusReceiver[] = [];
  const inFlight = new Set<Promise<void>>();
  let settling: Promise<unknown> = Promise.resolve();
  const settle = (action: () => Promise<void>): Promise<void> => {
    const next = settling.then(action, action);
    settling = next.catch(() => undefined);
    return next;
  };
  for (const fn of functions) {
    const receiver = client.createReceiver(fn.queueName, { receiveMode: 'peekLock' });
    receivers.push(receiver);
    const maxDeliveryCount = options.maxDeliveryCount(fn.queueName);
    receiver.subscribe(
      {
        processMessage: (message) => {
          const run = invoke(fn, receiver, message, maxDeliveryCount, settle, log);
          inFlight.add(run);
          return run.finally(() => inFlight.delete(run));
        },
        processError: async ({ error, errorSource }) => {
          log.warn('queue receiver error', { function: fn.name, source: errorSource, error: String(error) });
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: options.maxConcurrentCalls ?? 4 },
    );
  }
  return {
    async close() {
      await Promise.allSettled([...inFlight]);
      await Promise.allSettled(receivers.map((r) => r.close()));
    },
  };
}

async function invoke(
  fn: QueueFunction,
  receiver: ServiceBusReceiver,
  message: ServiceBusReceivedMessage,
  maxDeliveryCount: number,
  settle: (action: () => Promise<void>) => Promise<void>,
  log: Logger,
): Promise<void> {
  // The SDK counts earlier deliveries (0 the first time); Azure's trigger metadata counts this one too.
  const deliveries = (message.deliveryCount ?? 0) + 1;
  const context = new InvocationContext({
    functionName: fn.name,
    // The same trigger metadata names the Functions worker passes for a Service Bus message.
    triggerMetadata: {
      messageId: message.messageId,
      deliveryCount: deliveries,
      enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
      sequenceNumber: message.sequenceNumber?.toString(),
      contentType: message.contentType,
      correlationId: message.correlationId,
      applicationProperties: message.applicationProperties,
    },
    logHandler: invocationLog(log, { function: fn.name, messageId: String(message.messageId) }),
  });
  try {
    await fn.handler(message.body, context);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (deliveries >= maxDeliveryCount) {
      log.error('queue message dead-lettered', { function: fn.name, messageId: String(message.messageId), deliveries, error: detail });
      return settle(() =>
        receiver.deadLetterMessage(message, { deadLetterReason: 'MaxDeliveryCountExceeded', deadLetterErrorDescription: detail.slice(0, 1024) }),
      );
    }
    log.warn('queue message abandoned', { function: fn.name, messageId: String(message.messageId), deliveries, error: detail });
    return settle(() => receiver.abandonMessage(message));
  }
  return settle(() => receiver.completeMessage(message));
}
