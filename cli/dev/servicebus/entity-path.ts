// The addresses the SDK attaches links to: "$cbs", "queue", "queue/$DeadLetterQueue", and either
// of the last two followed by "/$management". Suffixes match in any case, as Service Bus does.
export interface EntityRef {
  queue: string;
  deadLetter: boolean;
}

export type Endpoint = { kind: 'cbs' } | { kind: 'management'; entity: EntityRef } | { kind: 'messages'; entity: EntityRef };

const MANAGEMENT = /\/\$management$/i;
const DEAD_LETTER = /\/\$deadletterqueue$/i;

export function parseAddress(address: string | undefined): Endpoint | undefined {
  if (!address) return undefined;
  if (address === '$cbs') return { kind: 'cbs' };
  const management = MANAGEMENT.test(address);
  const path = address.replace(MANAGEMENT, '');
  const deadLetter = DEAD_LETTER.test(path);
  const entity = { queue: path.replace(DEAD_LETTER, ''), deadLetter };
  return management ? { kind: 'management', entity } : { kind: 'messages', entity };
}
