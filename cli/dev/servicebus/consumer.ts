// One receiver link of a client: it is given messages from one entity (never more than its
// credit), and its dispositions settle them: accepted completes, modified abandons, rejected
// dead-letters. The double then settles the delivery, or rejects it with the failure (a lost lock
// becomes the SDK's MessageLockLost).
import rhea, { type Delivery, type Sender } from 'rhea';
import { answerEveryDrain, completeDrain, creditOf } from './drain.js';
import { AmqpFailure, notSupported } from './failures.js';
import { deliveryTagOf, newLockToken } from './lock-token.js';
import type { MessageStore, ReceiveMode } from './message-store.js';
import { receivedForm } from './wire-message.js';

// rhea builds outcomes at runtime but does not type these constructors.
const outcomes = rhea.message as unknown as {
  accepted(): { described(): unknown };
  rejected(fields: { error: { condition: string; description: string } }): { described(): unknown };
};

export class Consumer {
  private readonly locks = new Map<Delivery, string>();
  private drainRequested = false;
  private closed = false;

  constructor(
    private readonly sender: Sender,
    private readonly store: MessageStore,
    private readonly mode: ReceiveMode,
    wake: () => void,
  ) {
    answerEveryDrain(sender);
    sender.on('sendable', wake);
    sender.on('sender_draining', () => {
      this.drainRequested = true;
      wake();
    });
    for (const outcome of ['accepted', 'rejected', 'modified'] as const) {
      sender.on(outcome, (context) => this.settle(context.delivery!, outcome));
    }
  }

  /** How many more messages this link may be given now. */
  credit(): number {
    return this.closed || !this.sender.is_open() ? 0 : creditOf(this.sender);
  }

  /** Sends the entity's next available message; false when there is none (or no room on the session). */
  deliverNext(): boolean {
    if (!this.sender.sendable()) return false;
    const entry = this.store.take(this.mode);
    if (!entry) return false;
    const token = entry.lock?.token ?? newLockToken();
    const delivery = this.sender.send(receivedForm(entry), deliveryTagOf(token));
    if (entry.lock) this.locks.set(delivery, token);
    return true;
  }

  /** Completes a drain the client asked for, once everything there was to give has been given. */
  finishDrain(): void {
    if (!this.drainRequested || this.closed) return;
    this.drainRequested = false;
    completeDrain(this.sender);
  }

  /** The link is gone: its locks are lost, so their messages are redelivered (counted as failed deliveries). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const token of this.locks.values()) this.store.loseLock(token);
    this.locks.clear();
  }

  private settle(delivery: Delivery, outcome: 'accepted' | 'rejected' | 'modified'): void {
    const token = this.locks.get(delivery);
    if (token === undefined || delivery.settled) return;
    this.locks.delete(delivery);
    const state = delivery.remote_state as { error?: { info?: Record<string, unknown> }; undeliverable_here?: boolean };
    try {
      if (outcome === 'accepted') this.store.complete(token);
      else if (outcome === 'modified' && state.undeliverable_here) throw notSupported('Deferring a message');
      else if (outcome === 'modified') this.store.abandon(token);
      else {
        // The SDK rejects with condition com.microsoft:dead-letter; Service Bus dead-letters on any rejection.
        const info = state.error?.info ?? {};
        this.store.deadLetter(token, text(info.DeadLetterReason), text(info.DeadLetterErrorDescription));
      }
      // Settled as accepted whatever the client asked for: the SDK reads any error in the
      // broker's outcome (an echoed dead-letter rejection carries one) as a failed settlement.
      delivery.update(true, outcomes.accepted().described());
    } catch (error) {
      if (!(error instanceof AmqpFailure)) throw error;
      // The lock is gone or the request is refused; the message's fate is the store's.
      delivery.update(true, outcomes.rejected({ error: { condition: error.condition, description: error.message } }).described());
    }
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
