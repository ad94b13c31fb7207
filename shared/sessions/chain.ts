// The hash chain. A line's `hash` is SHA-256 (hex) over the canonical JSON of the line without its
// `hash` member; `prev` is the previous line's hash. The first line of a session-day blob links to
// a genesis value derived from the session id and the day, so a blob's lines cannot be passed off
// as another session's or another day's.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { PendingEvent, SessionEvent } from './schema.js';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The `prev` of a session-day's first line. */
export const genesis = (sessionId: string, day: string): string => sha256Hex(`portcullis/session/v1\n${sessionId}\n${day}`);

/** The hash of a line, given the line's members other than `hash`. */
export const lineHash = (unsealed: object): string => sha256Hex(canonicalJson(unsealed));

/** The members sealing adds, in key order: a pending event's own members fall into the runs around them. */
const CHAIN_KEYS = ['hash', 'prev', 'seq', 'v'];

/**
 * A pending event serialised once, however many times it is sealed (a block is sealed again at
 * another place in the chain after a conflict): its members' canonical JSON in key order, cut into
 * five runs where the chain's members go (before `hash`, then up to `prev`, `seq`, `v`, and after).
 */
export interface Draft {
  event: PendingEvent;
  /** Each run's `"key":value` members joined with commas; '' when it has none. */
  runs: string[];
  /** UTF-8 bytes of the runs: the line's size but for its chain members, braces and commas. */
  bytes: number;
}

/** Serialises a pending event for sealing; throws a TypeError on a value JSON cannot hold (NaN, Infinity). */
export function draft(event: PendingEvent): Draft {
  const value = event as unknown as Record<string, unknown>;
  const runs = ['', '', '', '', ''];
  let run = 0;
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    // The chain's members are the chain's to set, whatever a value claims.
    if (item === undefined || CHAIN_KEYS.includes(key)) continue;
    while (run < CHAIN_KEYS.length && key > CHAIN_KEYS[run]!) run += 1;
    const member = `${JSON.stringify(key)}:${canonicalJson(item)}`;
    runs[run] = runs[run] === '' ? member : `${runs[run]},${member}`;
  }
  let bytes = 0;
  for (const text of runs) bytes += Buffer.byteLength(text);
  return { event, runs, bytes };
}

/**
 * The stored text of a line (canonical JSON, no newline) and its hash: the hashed text is the
 * line's text without its `hash` member, which goes in at its sorted place (what
 * canonicalJson({ ...unsealed, hash }) would write).
 */
function sealLine({ runs }: Draft, seq: number, prev: string): { text: string; hash: string } {
  const members = [runs[0]!, runs[1]!, `"prev":${JSON.stringify(prev)}`, runs[2]!, `"seq":${seq}`, runs[3]!, '"v":1', runs[4]!];
  const hash = sha256Hex(`{${joined(members)}}`);
  members.splice(1, 0, `"hash":"${hash}"`);
  return { text: `{${joined(members)}}`, hash };
}

const joined = (members: string[]): string => members.filter((member) => member !== '').join(',');

/** Seals events in order onto a chain whose next seq is `seq` and whose last hash is `head`. */
export function sealEvents(from: { seq: number; head: string }, events: PendingEvent[]): Array<{ text: string; event: SessionEvent }> {
  return sealDrafts(from, events.map(draft));
}

/** sealEvents for events already serialised. */
export function sealDrafts(from: { seq: number; head: string }, drafts: Draft[]): Array<{ text: string; event: SessionEvent }> {
  let { seq, head } = from;
  return drafts.map((pending) => {
    const { text, hash } = sealLine(pending, seq, head);
    // Object.assign, not a spread followed by members: V8 (Node 20) takes microseconds per member added after a spread.
    const event = Object.assign({}, pending.event, { v: 1, seq, prev: head, hash }) as SessionEvent;
    seq += 1;
    head = hash;
    return { text, event };
  });
}
