// Hands one entity's available messages to the links receiving from it, in turn, each up to its
// credit, and then completes any drain they asked for.
//
// Pumping waits for setImmediate on purpose: rhea writes the transfers of a send on the next tick,
// and only then counts them against the link's credit. By the time the pump runs, every earlier
// delivery has gone out, so the credit it reads is exact and no link is ever given more than it asked.
import type { Consumer } from './consumer.js';
import type { MessageStore } from './message-store.js';

export class Dispatcher {
  private readonly consumers = new Set<Consumer>();
  private pending: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly store: MessageStore) {
    store.onAvailable = () => this.wake();
  }

  add(consumer: Consumer): void {
    this.consumers.add(consumer);
  }

  remove(consumer: Consumer): void {
    this.consumers.delete(consumer);
  }

  wake(): void {
    if (!this.closed) this.pending ??= setImmediate(() => this.pump());
  }

  close(): void {
    this.closed = true;
    clearImmediate(this.pending);
    this.pending = undefined;
    this.consumers.clear();
  }

  private pump(): void {
    this.pending = undefined;
    const budgets = new Map([...this.consumers].map((c) => [c, c.credit()]));
    let gave = true;
    while (gave && this.store.hasAvailable()) {
      gave = false;
      for (const [consumer, budget] of budgets) {
        if (budget <= 0 || !consumer.deliverNext()) continue;
        budgets.set(consumer, budget - 1);
        gave = true;
      }
    }
    for (const consumer of this.consumers) consumer.finishDrain();
  }
}
