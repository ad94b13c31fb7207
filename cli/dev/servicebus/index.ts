// A Service Bus wire double: an AMQP 1.0 server on loopback that the unmodified @azure/service-bus
// SDK talks to, with the queues declared here. The same connection string shape works against
// Microsoft's Service Bus emulator (see README.md).
import { listen } from './listener.js';
import { Namespace } from './namespace.js';
import { parseOptions } from './options.js';

export { ServiceBusDoubleOptionsError } from './options.js';

export interface QueueConfig {
  name: string;
  /** Deliveries before a message is dead-lettered with reason MaxDeliveryCountExceeded (default 10). */
  maxDeliveryCount?: number;
  /** How long a peek-locked message stays invisible to other receivers (default 30 000). */
  lockDurationMs?: number;
  /** Repeats of a messageId within this window are dropped (default 10 minutes; 0 turns detection off). */
  duplicateDetectionWindowMs?: number;
}

export interface ServiceBusDouble {
  port: number;
  connectionString: string;
  close(): Promise<void>;
}

// The key name and value Microsoft's emulator documents, so one connection string suits both.
const KEY_NAME = 'RootManageSharedAccessKey';
const KEY_VALUE = 'SAS_KEY_VALUE';

export async function startServiceBusDouble(options: { queues: QueueConfig[]; host?: string; port?: number }): Promise<ServiceBusDouble> {
  const settings = parseOptions(options);
  const namespace = new Namespace(settings.queues);
  const listener = await listen(namespace, settings.host, settings.port).catch((error: unknown) => {
    namespace.close();
    throw error;
  });
  return {
    port: listener.port,
    connectionString:
      `Endpoint=sb://${settings.host}:${listener.port};SharedAccessKeyName=${KEY_NAME};` +
      `SharedAccessKey=${KEY_VALUE};UseDevelopmentEmulator=true`,
    async close() {
      await listener.close();
      namespace.close();
    },
  };
}
