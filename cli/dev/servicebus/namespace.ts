// The declared queues and their dead-letter queues, each with the dispatcher that serves its
// receivers. Entities are found case-insensitively, as Service Bus finds them.
import { Dispatcher } from './dispatcher.js';
import type { EntityRef } from './entity-path.js';
import type { MessageStore } from './message-store.js';
import type { QueueSettings } from './options.js';
import { Queue } from './queue.js';

export interface Entity {
  queue: Queue;
  store: MessageStore;
  deadLetter: boolean;
  dispatcher: Dispatcher;
}

export class Namespace {
  private readonly queues = new Map<string, Queue>();
  private readonly dispatchers = new Map<MessageStore, Dispatcher>();

  constructor(settings: QueueSettings[]) {
    for (const queueSettings of settings) {
      const queue = new Queue(queueSettings);
      this.queues.set(queueSettings.name.toLowerCase(), queue);
      for (const store of [queue.active, queue.deadLetter]) this.dispatchers.set(store, new Dispatcher(store));
    }
  }

  find(ref: EntityRef): Entity | undefined {
    const queue = this.queues.get(ref.queue.toLowerCase());
    if (!queue) return undefined;
    const store = ref.deadLetter ? queue.deadLetter : queue.active;
    return { queue, store, deadLetter: ref.deadLetter, dispatcher: this.dispatchers.get(store)! };
  }

  queueNames(): string[] {
    return [...this.queues.values()].map((q) => q.settings.name);
  }

  close(): void {
    for (const dispatcher of this.dispatchers.values()) dispatcher.close();
    for (const queue of this.queues.values()) queue.close();
  }
}
