// The hash chain. A line's `hash` is SHA-256 (hex) over the canonical JSON of the line without its
// `hash` member; `prev` is the previous line's hash. The first line of a session-day blob links to
// a genesis value derived from the session id and the day, so a blob's lines cannot be passed off
// as another session's or another day's.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { PendingEvent, SessionEvent, UnsealedEvent } from './schema.js';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The `prev` of a session-day's first line. */
export const genesis = (sessionId: string, day: string): string => sha256Hex(`portcullis/session/v1\n${sessionId}\n${day}`);

/** The hash of a line, given the line's members other than `hash`. */
export const lineHash = (unsealed: object): string => sha256Hex(canonicalJson(unsealed));

/**
 * The stored text of a line (canonical JSON, no newline) and its hash. The members are serialised
 * once: the hashed text is the line's text without its `hash` member, which goes in at its sorted
 * place (what canonicalJson({ ...unsealed, hash }) would write).
 */
function sealLine(unsealed: UnsealedEvent): { text: string; hash: string } {
  const value = unsealed as unknown as Record<string, unknown>;
  const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
  const members = keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
  const hash = sha256Hex(`{${members.join(',')}}`);
  const at = keys.findIndex((key) => key > 'hash');
  members.splice(at < 0 ? members.length : at, 0, `"hash":"${hash}"`);
  return { text: `{${members.join(',')}}`, hash };
}

/** Seals events in order onto a chain whose next seq is `seq` and whose last hash is `head`. */
export function sealEvents(from: { seq: number; head: string }, events: PendingEvent[]): Array<{ text: string; event: SessionEvent }> {
  let { seq, head } = from;
  return events.map((pending) => {
    const unsealed = { ...pending, v: 1, seq, prev: head } as UnsealedEvent;
    const { text, hash } = sealLine(unsealed);
    seq += 1;
    head = hash;
    return { text, event: { ...unsealed, hash } as SessionEvent };
  });
}
