// The local Functions host: serves the same definitions Azure's worker registers — HTTP on
// node:http, Service Bus queue triggers through @azure/service-bus, timers on NCRONTAB.
import type { ServiceBusClient } from '@azure/service-bus';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FunctionDefinition, HttpFunction, QueueFunction, TimerFunction } from '../../../shared/platform/triggers.js';
import type { Logger } from '../../../shared/platform/log.js';
import { answerClientErrors, httpListener } from './http.js';
import { startQueueTriggers } from './queue.js';
import { startTimers } from './timer.js';

export interface HostOptions {
  functions: FunctionDefinition[];
  log: Logger;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  serviceBus?: { client: ServiceBusClient; maxDeliveryCount: (queueName: string) => number };
  /** Serve HTTPS with this certificate (PEM), plus plain HTTP on another loopback port for the stack's own calls. */
  tls?: { cert: string; key: string };
}

export interface LocalHost {
  url: string;
  /** Plain HTTP on loopback: the same functions, for the stack's own calls (the dev issuer's keys); `url` without TLS. */
  internalUrl: string;
  port: number;
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<LocalHost> {
  const http = options.functions.filter((f): f is HttpFunction => f.trigger === 'http');
  const queues = options.functions.filter((f): f is QueueFunction => f.trigger === 'serviceBusQueue');
  const timers = options.functions.filter((f): f is TimerFunction => f.trigger === 'timer');
  if (queues.length > 0 && !options.serviceBus) throw new Error('queue-triggered functions need a Service Bus client');

  const listener = httpListener(http, options.log);
  const server: Server = options.tls ? createHttpsServer({ keepAliveTimeout: 5_000, ...options.tls }, listener) : createServer({ keepAliveTimeout: 5_000 }, listener);
  const internal = options.tls ? createServer({ keepAliveTimeout: 5_000 }, listener) : undefined;
  const servers = internal ? [server, internal] : [server];
  for (const s of servers) answerClientErrors(s);
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const { port, address } = server.address() as AddressInfo;
  if (internal) await listen(internal, 0, '127.0.0.1');
  const url = `${options.tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const queueTriggers = options.serviceBus
    ? startQueueTriggers(options.serviceBus.client, queues, { maxDeliveryCount: options.serviceBus.maxDeliveryCount }, options.log)
    : undefined;
  const timerTriggers = startTimers(timers, options.log);

  return {
    url,
    internalUrl: internal ? `http://127.0.0.1:${(internal.address() as AddressInfo).port}` : url,
    port,
    async close() {
      await timerTriggers.close();
      await queueTriggers?.close();
      const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const s of servers) s.closeIdleConnections();
      // Streams still open (an SSE client, a held request) are cut after a short grace.
      const force = setTimeout(() => servers.forEach((s) => s.closeAllConnections()), 2_000);
      await closed;
      clearTimeout(force);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
