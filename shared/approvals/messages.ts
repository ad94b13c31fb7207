// The orchestrator's messages on the Service Bus queue `approvals`: `{ approvalId, event }` and
// nothing else (the held request stays in blob storage). messageId = `{approvalId}:{event}`, so
// Service Bus duplicate detection drops a second send of the same event.
import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import { z } from 'zod';
import { APPROVALS_QUEUE, APPROVALS_QUEUE_SETTINGS } from './names.js';

export const APPROVAL_EVENTS = ['requested', 'decided', 'timeout', 'recheck'] as const;
export type ApprovalEvent = (typeof APPROVAL_EVENTS)[number];

export const approvalMessageSchema = z.object({ approvalId: z.string().min(1).max(100), event: z.enum(APPROVAL_EVENTS) });
export type ApprovalMessage = z.infer<typeof approvalMessageSchema>;

/** `{approvalId}:{event}`; a recheck also names the claim it checks, so a later claim's is not dropped as a duplicate. */
export const messageIdFor = (approvalId: string, event: ApprovalEvent, key?: string) => `${approvalId}:${event}${key ? `:${key}` : ''}`;

/** Deliveries before Service Bus dead-letters a message, as the queue is declared. */
export const MAX_DELIVERIES = APPROVALS_QUEUE_SETTINGS.maxDeliveryCount;

export function approvalMessage(approvalId: string, event: ApprovalEvent, key?: string): ServiceBusMessage {
  return {
    messageId: messageIdFor(approvalId, event, key),
    body: { approvalId, event } satisfies ApprovalMessage,
    contentType: 'application/json',
    subject: event,
  };
}

export interface Messenger {
  send(approvalId: string, event: ApprovalEvent): Promise<void>;
  /** Enqueued at `at` (Service Bus scheduled messages). */
  schedule(approvalId: string, event: ApprovalEvent, at: Date, key?: string): Promise<void>;
}

export function createMessenger(client: ServiceBusClient): Messenger {
  let sender: ServiceBusSender | undefined;
  // One sender (one AMQP link) for the process; closing the client closes it.
  const open = () => (sender && !sender.isClosed ? sender : (sender = client.createSender(APPROVALS_QUEUE)));
  return {
    async send(approvalId, event) {
      await open().sendMessages(approvalMessage(approvalId, event));
    },
    async schedule(approvalId, event, at, key) {
      await open().scheduleMessages(approvalMessage(approvalId, event, key), at);
    },
  };
}
