// The $management operations the SDK uses on a queue (or its dead-letter queue): renew a lock,
// settle by lock token once the receiving link is gone, peek, and schedule or cancel messages.
// Replies use the keys Service Bus management uses (statusCode, statusDescription, errorCondition).
import rhea, { type Message } from 'rhea';
import { AmqpFailure, notAllowed, notSupported } from './failures.js';
import { lockTokenFromBytes } from './lock-token.js';
import type { MessageStore } from './message-store.js';
import type { Queue } from './queue.js';
import type { Reply } from './request-response.js';
import { decodeMessage, encodeReceivedForm } from './wire-message.js';

export interface ManagedEntity {
  queue: Queue;
  store: MessageStore;
  deadLetter: boolean;
}

type Body = Record<string, unknown>;
type Operation = (entity: ManagedEntity, body: Body) => Reply;

const AMQP_LONG = 0x81;
const AMQP_TIMESTAMP = 0x83;

const operations: Record<string, Operation> = {
  'com.microsoft:renew-lock': ({ store }, body) => {
    const expirations = lockTokens(body).map((token) => store.renewLock(token));
    return ok({ expirations: rhea.types.wrap_array(expirations, AMQP_TIMESTAMP, undefined) });
  },

  'com.microsoft:update-disposition': ({ store }, body) => {
    const reason = optionalText(body['deadletter-reason']);
    const description = optionalText(body['deadletter-description']);
    for (const token of lockTokens(body)) {
      const status = body['disposition-status'];
      if (status === 'completed') store.complete(token);
      else if (status === 'abandoned') store.abandon(token);
      else if (status === 'suspended') store.deadLetter(token, reason, description);
      else throw notSupported(`Disposition status "${String(status)}"`);
    }
    return ok();
  },

  'com.microsoft:peek-message': ({ store }, body) => {
    const found = store.peek(toNumber(body['from-sequence-number']), toNumber(body['message-count']));
    if (found.length === 0) return reply(204, 'No messages');
    return ok({ messages: found.map((entry) => ({ message: encodeReceivedForm(entry) })) });
  },

  'com.microsoft:schedule-message': (entity, body) => {
    const queue = activeQueue(entity, 'Scheduling');
    const entries = (body.messages as Body[] | undefined) ?? [];
    const sequenceNumbers = entries.map((entry) => queue.schedule(decodeMessage(entry.message as Buffer)));
    return ok({ 'sequence-numbers': rhea.types.wrap_array(sequenceNumbers, AMQP_LONG, undefined) });
  },

  'com.microsoft:cancel-scheduled-message': (entity, body) => {
    const queue = activeQueue(entity, 'Cancelling scheduled messages');
    queue.active.cancelScheduled(((body['sequence-numbers'] as unknown[] | undefined) ?? []).map(toNumber));
    return ok();
  },
};

export function answerManagement(entity: ManagedEntity, request: Message): Reply {
  const operation = String(request.application_properties?.operation);
  try {
    const handle = operations[operation];
    if (!handle) throw notSupported(`Management operation "${operation}"`);
    return handle(entity, (request.body ?? {}) as Body);
  } catch (error) {
    if (error instanceof AmqpFailure) return reply(error.status, error.message, error.condition);
    return reply(500, error instanceof Error ? error.message : String(error), 'amqp:internal-error');
  }
}

function ok(body?: Body): Reply {
  return { ...reply(200, 'OK'), body };
}

function reply(statusCode: number, statusDescription: string, errorCondition?: string): Reply {
  return { application_properties: { statusCode, statusDescription, ...(errorCondition ? { errorCondition } : {}) } };
}

function activeQueue({ queue, deadLetter }: ManagedEntity, what: string): Queue {
  if (deadLetter) throw notAllowed(`${what} is not allowed on a dead-letter queue.`);
  return queue;
}

function lockTokens(body: Body): string[] {
  return ((body['lock-tokens'] as Buffer[] | undefined) ?? []).map(lockTokenFromBytes);
}

// rhea decodes an AMQP long as a number, or as its 8 bytes when it is too big for one.
function toNumber(value: unknown): number {
  return Buffer.isBuffer(value) ? Number(value.readBigInt64BE()) : Number(value);
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
