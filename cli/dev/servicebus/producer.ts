// One sender link of a client: each transfer (a message, or an SDK batch) is enqueued whole and
// then accepted, so the SDK's send resolves only once the queue holds the message.
import type { Receiver } from 'rhea';
import { AmqpFailure } from './failures.js';
import type { Queue } from './queue.js';
import { messagesOfTransfer } from './wire-message.js';

export function acceptSends(receiver: Receiver, queue: Queue): void {
  receiver.on('message', (context) => {
    const delivery = context.delivery!;
    try {
      const now = Date.now();
      for (const message of messagesOfTransfer(context.message!, delivery.format)) queue.send(message, now);
      delivery.accept();
    } catch (error) {
      if (!(error instanceof AmqpFailure)) throw error;
      delivery.reject({ condition: error.condition, description: error.message });
    }
  });
}
