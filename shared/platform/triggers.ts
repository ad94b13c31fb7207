// Function definitions: each file in functions/ exports one, functions/index.ts hands the list to
// Azure's `app.*`, and the local host (cli/dev/host) serves the very same list. A definition's
// handler never lets an error escape as a bare 500: it becomes problem+json here, in Azure too.
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import { internalError, Refusal, toProblem } from './problem.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export const ALL_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
export type QueueHandler = (message: unknown, context: InvocationContext) => Promise<void>;
export type TimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;

export interface HttpFunction {
  trigger: 'http';
  name: string;
  /** Route template under the `api` prefix: `{name}`, `{name?}` and a final `{*rest}`. */
  route: string;
  methods: HttpMethod[];
  handler: HttpHandler;
}

export interface QueueFunction {
  trigger: 'serviceBusQueue';
  name: string;
  queueName: string;
  /** Name of the app setting prefix holding the connection (`ServiceBusConnection`). */
  connection: string;
  handler: QueueHandler;
}

export interface TimerFunction {
  trigger: 'timer';
  name: string;
  /** NCRONTAB, six fields: second minute hour day month day-of-week (UTC). */
  schedule: string;
  handler: TimerHandler;
}

export type FunctionDefinition = HttpFunction | QueueFunction | TimerFunction;

export function defineHttp(definition: Omit<HttpFunction, 'trigger'>): HttpFunction {
  const { handler } = definition;
  return {
    ...definition,
    trigger: 'http',
    handler: async (request, context) => {
      try {
        return await handler(request, context);
      } catch (error) {
        if (error instanceof Refusal) return toProblem(error, context.invocationId);
        // The invocation's own log: Application Insights in Azure, the host's log locally.
        context.error(`unhandled error in ${definition.name}:`, error instanceof Error ? error.stack ?? error.message : String(error));
        return internalError(context.invocationId);
      }
    },
  };
}

export function defineQueue(definition: Omit<QueueFunction, 'trigger'>): QueueFunction {
  return { ...definition, trigger: 'serviceBusQueue' };
}

export function defineTimer(definition: Omit<TimerFunction, 'trigger'>): TimerFunction {
  return { ...definition, trigger: 'timer' };
}
