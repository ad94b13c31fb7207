// Messages on the wire: what one transfer from a sender holds, and what a receiver is given —
// the message as sent plus the broker's header and annotations, as Azure adds them.
import rhea, { type Message } from 'rhea';
import { notSupported } from './failures.js';
import type { StoredMessage } from './message-store.js';

// The SDK sends a batch as one transfer in this format: each data section holds an encoded message.
const BATCH_FORMAT = 0x80013700;

interface BodySection {
  content: Buffer | Buffer[];
  multiple?: boolean;
}

/** The messages of one transfer: a single message, or each message of an SDK batch. */
export function messagesOfTransfer(payload: Message | Buffer, format: number): Message[] {
  if (format === 0) return [payload as Message];
  if (format !== BATCH_FORMAT) throw notSupported(`Message format ${format}`);
  const body = rhea.message.decode(payload as Buffer).body as BodySection;
  const sections = body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
  return sections.map(decodeMessage);
}

/** The message a receiver gets, with sequence number, enqueued time, delivery count and lock expiry. */
export function receivedForm(entry: StoredMessage): Message {
  const annotations: Record<string, unknown> = {
    ...entry.message.message_annotations,
    'x-opt-sequence-number': rhea.types.wrap_long(entry.sequenceNumber),
    'x-opt-enqueued-time': entry.enqueuedTime,
  };
  if (entry.lock) annotations['x-opt-locked-until'] = new Date(entry.lock.until);
  // Peeked scheduled messages say so; the SDK reads 2 as "scheduled".
  if (entry.state === 'scheduled') annotations['x-opt-message-state'] = rhea.types.wrap_int(2);
  return { ...entry.message, delivery_count: entry.deliveryCount, message_annotations: annotations } as Message;
}

export function encodeReceivedForm(entry: StoredMessage): Buffer {
  return rhea.message.encode(receivedForm(entry));
}

export function decodeMessage(encoded: Buffer): Message {
  return rhea.message.decode(encoded) as unknown as Message;
}
