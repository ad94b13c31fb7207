// The messages of one entity (a queue, or its dead-letter queue), in sequence-number order. Each is
// scheduled, available or locked; a lock ends in settlement, expiry or loss, and every failed
// delivery counts toward the queue's max delivery count, past which the message is dead-lettered.
import type { Message } from 'rhea';
import { Alarm } from './alarm.js';
import { lockLost, messageNotFound, notAllowed } from './failures.js';
import { newLockToken } from './lock-token.js';

export interface StoredMessage {
  readonly sequenceNumber: number;
  /** The message as the client sent it; delivery adds the broker's annotations to a copy. */
  message: Message;
  enqueuedTime: Date;
  /** Failed deliveries so far (the AMQP header's delivery-count; the SDK's deliveryCount). */
  deliveryCount: number;
  state: 'scheduled' | 'available' | 'locked';
  scheduledFor?: number;
  lock?: { token: string; until: number };
}

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

/** Where a queue's failed messages go; a dead-letter queue itself has none. */
export interface DeadLettering {
  queue: MessageStore;
  maxDeliveryCount: number;
}

const SCHEDULED_ENQUEUE_TIME = 'x-opt-scheduled-enqueue-time';

export class MessageStore {
  private readonly entries: StoredMessage[] = [];
  private readonly locked = new Map<string, StoredMessage>();
  private readonly alarm = new Alarm(() => this.onAlarm());
  private nextSequenceNumber = 1;
  /** Called whenever a message becomes available, so waiting receivers can be served. */
  onAvailable: () => void = () => {};

  constructor(
    private readonly lockDurationMs: number,
    private readonly deadLettering?: DeadLettering,
  ) {}

  /** Stores a sent message (scheduled if it names a future enqueue time) and returns its sequence number. */
  enqueue(message: Message, now = Date.now()): number {
    const sequenceNumber = this.nextSequenceNumber++;
    const scheduled = scheduledTime(message);
    if (scheduled !== undefined && scheduled > now) {
      const enqueuedTime = new Date(scheduled);
      this.insert({ sequenceNumber, message, enqueuedTime, deliveryCount: 0, state: 'scheduled', scheduledFor: scheduled });
      this.alarm.wakeBy(scheduled);
    } else {
      this.insert({ sequenceNumber, message, enqueuedTime: new Date(now), deliveryCount: 0, state: 'available' });
      this.onAvailable();
    }
    return sequenceNumber;
  }

  /** A number no message will ever have: what a dropped duplicate is "scheduled" as. */
  skipSequenceNumber(): number {
    return this.nextSequenceNumber++;
  }

  /** Cancels scheduled messages; all or none, so a wrong number changes nothing. */
  cancelScheduled(sequenceNumbers: number[]): void {
    const found = sequenceNumbers.map((n) => {
      const entry = this.entries.find((e) => e.sequenceNumber === n && e.state === 'scheduled');
      if (!entry) throw messageNotFound(`No message is scheduled with sequence number ${n}: it was enqueued, cancelled, or never scheduled.`);
      return entry;
    });
    for (const entry of found) this.remove(entry);
  }

  hasAvailable(): boolean {
    return this.entries.some((e) => e.state === 'available');
  }

  /** The first available message: locked for peek-lock, removed for receive-and-delete. */
  take(mode: ReceiveMode, now = Date.now()): StoredMessage | undefined {
    const entry = this.entries.find((e) => e.state === 'available');
    if (!entry) return undefined;
    if (mode === 'receiveAndDelete') {
      this.remove(entry);
      return entry;
    }
    entry.state = 'locked';
    entry.lock = { token: newLockToken(), until: now + this.lockDurationMs };
    this.locked.set(entry.lock.token, entry);
    this.alarm.wakeBy(entry.lock.until);
    return entry;
  }

  complete(token: string): void {
    this.remove(this.lockedBy(token));
  }

  /** A failed delivery: back in the queue with one more delivery counted, or dead-lettered past the max. */
  abandon(token: string): void {
    this.failDelivery(this.lockedBy(token));
  }

  /** A lock lost by expiry or by its receiver going away counts as a failed delivery; unknown tokens are ignored. */
  loseLock(token: string): void {
    const entry = this.locked.get(token);
    if (entry) this.failDelivery(entry);
  }

  deadLetter(token: string, reason?: string, description?: string): void {
    const entry = this.lockedBy(token);
    if (!this.deadLettering) throw notAllowed('A message in a dead-letter queue cannot be dead-lettered again.');
    this.moveTo(this.deadLettering.queue, entry, reason, description);
  }

  renewLock(token: string, now = Date.now()): Date {
    const entry = this.lockedBy(token);
    entry.lock!.until = now + this.lockDurationMs;
    this.alarm.wakeBy(entry.lock!.until);
    return new Date(entry.lock!.until);
  }

  /** Messages from a sequence number on, whatever their state, as Service Bus peeks. */
  peek(fromSequenceNumber: number, count: number): StoredMessage[] {
    return this.entries.filter((e) => e.sequenceNumber >= fromSequenceNumber).slice(0, count);
  }

  close(): void {
    this.alarm.cancel();
  }

  private lockedBy(token: string): StoredMessage {
    const entry = this.locked.get(token);
    if (!entry) throw lockLost(token);
    return entry;
  }

  private failDelivery(entry: StoredMessage): void {
    entry.deliveryCount += 1;
    const dlq = this.deadLettering;
    if (dlq && entry.deliveryCount >= dlq.maxDeliveryCount) {
      const description = `Message could not be consumed after ${dlq.maxDeliveryCount} delivery attempts.`;
      this.moveTo(dlq.queue, entry, 'MaxDeliveryCountExceeded', description);
    } else {
      this.makeAvailable(entry);
    }
  }

  private moveTo(deadLetterQueue: MessageStore, entry: StoredMessage, reason?: string, description?: string): void {
    this.remove(entry);
    const properties: Record<string, unknown> = { ...entry.message.application_properties };
    if (reason !== undefined) properties.DeadLetterReason = reason;
    if (description !== undefined) properties.DeadLetterErrorDescription = description;
    const message = { ...entry.message, application_properties: properties } as Message;
    deadLetterQueue.adopt({ ...entry, message, state: 'available', lock: undefined, scheduledFor: undefined });
  }

  /** Takes in a dead-lettered message, keeping its sequence number. */
  private adopt(entry: StoredMessage): void {
    this.insert(entry);
    this.onAvailable();
  }

  private makeAvailable(entry: StoredMessage): void {
    this.unlock(entry);
    entry.state = 'available';
    this.onAvailable();
  }

  private insert(entry: StoredMessage): void {
    let index = this.entries.length;
    while (index > 0 && this.entries[index - 1]!.sequenceNumber > entry.sequenceNumber) index -= 1;
    this.entries.splice(index, 0, entry);
  }

  private remove(entry: StoredMessage): void {
    this.unlock(entry);
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }

  private unlock(entry: StoredMessage): void {
    if (entry.lock) this.locked.delete(entry.lock.token);
    entry.lock = undefined;
  }

  // Fires for the earliest due lock or schedule; handles everything due, then re-arms for the next.
  private onAlarm(now = Date.now()): void {
    const due = this.entries.filter((e) => (e.scheduledFor ?? e.lock?.until ?? Infinity) <= now);
    for (const entry of due) {
      if (entry.state === 'scheduled') {
        entry.state = 'available';
        entry.scheduledFor = undefined;
        this.onAvailable();
      } else if (entry.lock) {
        this.failDelivery(entry);
      }
    }
    const next = this.entries.reduce((earliest, e) => Math.min(earliest, e.scheduledFor ?? e.lock?.until ?? Infinity), Infinity);
    if (next !== Infinity) this.alarm.wakeBy(next);
  }
}

function scheduledTime(message: Message): number | undefined {
  const value: unknown = message.message_annotations?.[SCHEDULED_ENQUEUE_TIME];
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' ? value : undefined;
}
