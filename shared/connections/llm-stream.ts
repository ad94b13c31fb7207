// Masks an LLM's streamed (Server-Sent Events) answer delta by delta. Each event's JSON goes to a
// handler for its API (chat completion chunks, Responses API events), which runs every streamed
// text through a StreamMasker of its own — so a secret split across chunks is still found, and
// text is held back only while a secret may be forming — and masks the rest of the event as JSON.
// What is still held when the answer ends is sent in a last delta before the end. When a tool
// call needs a review, the answer as it would be with the call passed is kept alongside (the
// handler says which events differ), for the approval to hold.
import type { Finding, Masker, StreamMasker } from '../masking/index.js';
import { childPath, SseParser, serializeEvent, type SseEvent } from '../masking/index.js';
import { pushAll } from '../platform/arrays.js';
import type { OperationDetail } from './operation.js';

/** Model, token usage and finish reason of an answer, for the record. */
export type AnswerDetails = Record<string, OperationDetail>;

export interface StreamedEvent {
  event?: string;
  data: unknown;
}

export interface DeltaHandler {
  /** The events to send for one upstream event (`raw`: its data as it came): its masked self, after any it had to add. */
  event(name: string | undefined, data: unknown, raw?: string): StreamedEvent[];
  /** The data of an event masked from its bytes, as event() would mask it, when it is like one seen before (raw-deltas.ts); undefined: call event(). */
  fromBytes?(name: string | undefined, raw: string): string | undefined;
  /** Events carrying the text still held back, once the answer ends. */
  flush(): StreamedEvent[];
  /** Model, token usage and finish reason, as far as the stream told them. */
  details(): AnswerDetails;
  /** For the last event: what the answer with the calls under review passed has instead, when it differs. */
  approvedInstead?(): StreamedEvent[] | undefined;
  /** Whether a call needed a review. */
  reviewed?(): boolean;
}

/** Events remembered as having nothing to mask, and the longest such event remembered (characters). */
const CLEAN_EVENTS = 8;
const CLEAN_EVENT_CHARS = 2048;

/**
 * Masks the JSON of a stream's events once their texts are taken out, remembering the last few
 * that had nothing to mask: a stream repeats its envelope (id, model, index…) in every event, and
 * masking it cost as much as masking the texts. An event with a finding is masked every time.
 * Members an API sets anew in every event (a counter, random padding) would make each event new:
 * they are masked on their own, exactly as they would be in place, and the event is remembered
 * without them.
 */
export class EventJson {
  /** Serialisations of events that masking left as they were. */
  private readonly clean = new Set<string>();
  /** Per-event member → the path its value alone is masked under, or null: see valuePath(). */
  private readonly paths = new Map<string, string | null>();
  /** Whether the last event's envelope (all but its per-event members) had nothing to mask. */
  cleanEnvelope = false;

  constructor(
    private readonly masker: Masker,
    private readonly findings: Finding[],
    readonly perEvent: readonly string[] = [],
  ) {}

  /** The event masked, from a value the caller owns: that value itself when it is known clean. */
  mask(value: unknown): unknown {
    const own = this.perEvent.length > 0 && isRecord(value) ? this.takeOwn(value) : undefined;
    const masked = this.envelope(value);
    if (!own || !isRecord(masked)) return masked;
    for (const [name, item] of own) masked[name] = this.own(name, item);
    return masked;
  }

  /** Whether a per-event member's value is masked on its own, not with its name. */
  alone(name: string): boolean {
    return this.valuePath(name) !== null;
  }

  /** A per-event member's value masked (on its own where it can be), its findings recorded. */
  own(name: string, item: string | number): unknown {
    const path = this.valuePath(name);
    const alone = path !== null ? this.masker.json(item, path) : this.masker.json({ [name]: item });
    if (alone.findings.length > 0) pushAll(this.findings, alone.findings);
    return path !== null ? alone.value : (alone.value as Record<string, unknown>)[name];
  }

  /**
   * Where a member's value is masked on its own: its path, when the name is neither masked nor
   * sensitive (with a value no rule reads, the member masks to itself with no finding), for then
   * the value alone masks exactly as in place; null otherwise, and the member is masked whole.
   */
  private valuePath(name: string): string | null {
    let path = this.paths.get(name);
    if (path === undefined) {
      const probe = this.masker.json({ [name]: 0 });
      path = probe.findings.length === 0 && JSON.stringify(probe.value) === JSON.stringify({ [name]: 0 }) ? childPath('$', name) : null;
      this.paths.set(name, path);
    }
    return path;
  }

  private envelope(value: unknown): unknown {
    const key = JSON.stringify(value);
    const remembered = key !== undefined && key.length <= CLEAN_EVENT_CHARS;
    this.cleanEnvelope = remembered && this.clean.has(key);
    if (this.cleanEnvelope) return value;
    const masked = this.masker.json(value);
    this.cleanEnvelope = masked.findings.length === 0 && key !== undefined && JSON.stringify(masked.value) === key;
    if (masked.findings.length > 0) pushAll(this.findings, masked.findings);
    else if (remembered && this.cleanEnvelope) {
      if (this.clean.size >= CLEAN_EVENTS) this.clean.delete(this.clean.values().next().value!);
      this.clean.add(key);
    }
    return masked.value;
  }

  /** The event's own scalar members (strings and numbers), each left as null in its place. */
  private takeOwn(value: Record<string, unknown>): Array<[string, string | number]> | undefined {
    let taken: Array<[string, string | number]> | undefined;
    for (const name of this.perEvent) {
      const item = value[name];
      if (typeof item !== 'string' && typeof item !== 'number') continue;
      (taken ??= []).push([name, item]);
      value[name] = null;
    }
    return taken;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The longest answer kept for holding (characters). */
const APPROVED_LIMIT = 8 * 1024 * 1024;

export class LlmSseMasker implements StreamMasker {
  readonly findings: Finding[] = [];
  private readonly parser = new SseParser();
  private readonly handler: DeltaHandler;
  private flushed = false;
  private events = 0;
  /** The answer with the calls under review passed, as sent so far, in pieces; undefined past APPROVED_LIMIT. */
  private approved: string[] | undefined = [];
  private approvedLength = 0;

  constructor(
    private readonly masker: Masker,
    handler: (findings: Finding[]) => DeltaHandler,
  ) {
    this.handler = handler(this.findings);
  }

  push(chunk: string): string {
    return this.parser.push(chunk).map((event) => this.mask(event)).join('');
  }

  end(): string {
    const rest = this.parser.end().map((event) => this.mask(event)).join('');
    const held = this.flush();
    this.keep(held);
    return rest + held;
  }

  details(): AnswerDetails {
    return this.handler.details();
  }

  /** The whole answer with the calls under review passed, once it has ended; undefined when none was. */
  approvedAnswer(): string | undefined {
    return this.handler.reviewed?.() ? this.approved?.join('') : undefined;
  }

  private mask(event: SseEvent): string {
    const { text, approved } = this.maskEvent(event);
    this.keep(approved ?? text);
    return text;
  }

  /** Bounded: an answer too long to hold cannot be held for a review (the gateway then fails it). */
  private keep(text: string): void {
    if (this.approved === undefined) return;
    this.approvedLength += text.length;
    if (this.approvedLength > APPROVED_LIMIT) this.approved = undefined;
    else this.approved.push(text);
  }

  /** The event's text, and the approved version's when it differs. */
  private maskEvent(event: SseEvent): { text: string; approved?: string } {
    const number = this.events++;
    const other = event.other.map((line) => this.text(line, number));
    if (event.data === undefined) return { text: serializeEvent({ ...event, other }) };
    // The end marker: whatever is still held goes out first.
    if (event.data.trim() === '[DONE]') return { text: this.flush() + serializeEvent({ ...event, other }) };
    const fast = this.handler.fromBytes?.(event.event, event.data);
    if (fast !== undefined) return { text: serializeEvent({ ...event, other, data: fast }) };
    let value: unknown;
    try {
      value = JSON.parse(event.data);
    } catch {
      return { text: serializeEvent({ ...event, other, data: this.text(event.data, number) }) };
    }
    const text = serializeAll(this.handler.event(event.event, value, event.data), other);
    const instead = this.handler.approvedInstead?.();
    return { text, approved: instead && serializeAll(instead, other) };
  }

  private flush(): string {
    if (this.flushed) return '';
    this.flushed = true;
    return serializeAll(this.handler.flush(), []);
  }

  private text(line: string, event: number): string {
    const masked = this.masker.text(line);
    for (const f of masked.findings) this.findings.push({ ...f, location: `event:${event}:${f.location}` });
    return masked.text;
  }
}

function serializeAll(events: StreamedEvent[], other: string[]): string {
  return events.map((e, i) => serializeEvent({ event: e.event, other: i === events.length - 1 ? other : [], data: JSON.stringify(e.data) })).join('');
}
