// Answers every link a client attaches, by address: $cbs and $management links serve requests,
// a sender link to a queue enqueues, a receiver link from a queue (or its dead-letter queue)
// consumes. A link to an undeclared queue is refused with amqp:not-found, which the SDK raises as
// MessagingEntityNotFound.
import type { Connection, Receiver, Sender, Session } from 'rhea';
import { answerCbs } from './cbs.js';
import { Consumer } from './consumer.js';
import { parseAddress, type EntityRef } from './entity-path.js';
import { answerManagement } from './management.js';
import type { Entity, Namespace } from './namespace.js';
import { acceptSends } from './producer.js';
import { serveRequests } from './request-response.js';

// Service Bus Standard's largest message; the SDK sizes its batches by what the attach says.
const MAX_MESSAGE_SIZE = 256 * 1024;

// A session receiver names the session it wants (or none, for any) in this source filter.
const SESSION_FILTER = 'com.microsoft:session-filter';

// rhea answers an attach with its own local fields; these mirror what the client asked for, as Service Bus does.
interface AttachFields {
  snd_settle_mode?: number;
  rcv_settle_mode?: number;
  max_message_size?: number;
}

export class LinkRouter {
  private readonly consumers = new Map<Sender, { consumer: Consumer; entity: Entity }>();

  constructor(
    private readonly namespace: Namespace,
    private readonly endpoint: string,
  ) {}

  /** The client attached a sender: the double receives on it. */
  receiverOpened(receiver: Receiver): void {
    const endpoint = parseAddress(receiver.target?.address);
    if (endpoint?.kind === 'cbs') {
      this.attach(receiver);
      serveRequests(receiver, answerCbs);
      return;
    }
    const entity = this.entity(receiver, endpoint?.entity);
    if (!endpoint || !entity) return;
    if (endpoint.kind === 'management') {
      this.attach(receiver);
      serveRequests(receiver, (request) => answerManagement(entity, request));
    } else if (entity.deadLetter) {
      receiver.close({ condition: 'amqp:not-allowed', description: 'Messages cannot be sent to a dead-letter queue.' });
    } else {
      this.attach(receiver).max_message_size = MAX_MESSAGE_SIZE;
      acceptSends(receiver, entity.queue);
    }
  }

  /** The client attached a receiver: the double sends on it (replies, or a queue's messages). */
  senderOpened(sender: Sender): void {
    const endpoint = parseAddress(sender.source?.address);
    if (endpoint?.kind === 'cbs') {
      this.attach(sender);
      return;
    }
    const entity = this.entity(sender, endpoint?.entity);
    if (!endpoint || !entity) return;
    if (sender.source?.filter && SESSION_FILTER in sender.source.filter) {
      const description = 'Message sessions are not supported by the Service Bus double.';
      sender.close({ condition: 'amqp:not-implemented', description });
      return;
    }
    this.attach(sender);
    if (endpoint.kind === 'management') return;
    // The SDK asks for settled transfers in receive-and-delete mode, unsettled ones in peek-lock.
    const mode = sender.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    const consumer = new Consumer(sender, entity.store, mode, () => entity.dispatcher.wake());
    this.consumers.set(sender, { consumer, entity });
    entity.dispatcher.add(consumer);
    entity.dispatcher.wake();
  }

  senderClosed(sender: Sender): void {
    this.forget((s) => s === sender);
  }

  sessionClosed(session: Session): void {
    this.forget((s) => s.session === session);
  }

  connectionClosed(connection: Connection): void {
    this.forget((s) => s.connection === connection);
  }

  private forget(matches: (sender: Sender) => boolean): void {
    for (const [sender, { consumer, entity }] of this.consumers) {
      if (!matches(sender)) continue;
      this.consumers.delete(sender);
      entity.dispatcher.remove(consumer);
      consumer.close();
    }
  }

  private entity(link: Sender | Receiver, ref: EntityRef | undefined): Entity | undefined {
    if (!ref) {
      link.close({ condition: 'amqp:not-found', description: 'A link to the Service Bus double needs an address.' });
      return undefined;
    }
    const entity = this.namespace.find(ref);
    if (!entity) {
      const declared = this.namespace.queueNames();
      link.close({
        condition: 'amqp:not-found',
        description:
          `The messaging entity '${this.endpoint}${ref.queue}' could not be found: the Service Bus double declares ` +
          (declared.length > 0 ? `only ${declared.map((n) => `'${n}'`).join(', ')}.` : 'no queues.'),
      });
    }
    return entity;
  }

  private attach(link: Sender | Receiver): AttachFields {
    link.set_source(link.source);
    link.set_target(link.target);
    const local = (link as unknown as { local: { attach: AttachFields } }).local.attach;
    local.snd_settle_mode = link.snd_settle_mode;
    local.rcv_settle_mode = link.rcv_settle_mode;
    return local;
  }
}
