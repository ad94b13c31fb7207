// A declared queue: its messages, its dead-letter queue, and duplicate detection on what is sent.
import { randomUUID } from 'node:crypto';
import type { Message } from 'rhea';
import { DuplicateDetector } from './duplicate-detector.js';
import { MessageStore } from './message-store.js';
import type { QueueSettings } from './options.js';

export class Queue {
  readonly active: MessageStore;
  readonly deadLetter: MessageStore;
  private readonly duplicates: DuplicateDetector;

  constructor(readonly settings: QueueSettings) {
    this.deadLetter = new MessageStore(settings.lockDurationMs);
    this.active = new MessageStore(settings.lockDurationMs, { queue: this.deadLetter, maxDeliveryCount: settings.maxDeliveryCount });
    this.duplicates = new DuplicateDetector(settings.duplicateDetectionWindowMs);
  }

  /** Enqueues a sent message; a duplicate is dropped silently, as Azure accepts and discards it. */
  send(message: Message, now = Date.now()): void {
    if (!this.duplicates.isDuplicate(message.message_id, now)) this.active.enqueue(withMessageId(message), now);
  }

  /** Enqueues a message sent through scheduleMessages and returns the sequence number to cancel it by. */
  schedule(message: Message, now = Date.now()): number {
    if (this.duplicates.isDuplicate(message.message_id, now)) return this.active.skipSequenceNumber();
    return this.active.enqueue(withMessageId(message), now);
  }

  close(): void {
    this.active.close();
    this.deadLetter.close();
  }
}

// The broker gives a message sent without an id one of its own; the SDK relies on every received
// message having one (its lock renewal is keyed by it).
function withMessageId(message: Message): Message {
  if (message.message_id === undefined) message.message_id = randomUUID().replaceAll('-', '');
  return message;
}
