// Most of a streamed answer is one kind of event again and again: the same envelope around a new
// piece of text (and, from OpenAI, new padding). Once such an event has gone through the full
// path (parsed, its text through the stream masker, the rest masked as JSON and found clean,
// written back), the next one that differs from it only in those values is masked from its
// bytes: the unchanged bytes pass through and only the values are decoded, masked and encoded.
// The result is what the full path gives for it, findings included; an event that differs
// anywhere else, or is not written as JSON.stringify writes it, takes the full path.

/** Where a delta's text sits, in the event as it came and as it went out, and which stream masks it. */
export interface PlainText {
  /** The stream the text goes through (a TextStreams key). */
  key: string;
  /** Path of the text, the same in the event that came and the one that went out. */
  path: ReadonlyArray<string | number>;
}

/** How an event's members set anew in every event are masked (EventJson). */
export interface PerEventMembers {
  /** Names of the members set anew in every event. */
  readonly perEvent: readonly string[];
  /** Whether such a member is masked on its own (else no event with it is masked from its bytes). */
  alone(name: string): boolean;
  /** Such a member's value, masked on its own (its findings recorded). */
  own(name: string, value: string | number): unknown;
}

/** The streams the texts go through (TextStreams). */
export interface TextPush {
  /** Pushes a delta's text through the stream of `key`: what may go out now. */
  push(key: string, text: string): string;
}

interface Cut {
  /** The text's stream, or the per-event member's name. */
  key: string;
  text: boolean;
}

interface Template {
  /** The text's stream. */
  key: string;
  cuts: Cut[];
  /** Bytes around the values in the event that came: one more than the cuts. */
  input: string[];
  /** The same around the masked values in the event that went out. */
  output: string[];
}

/** Templates kept per stream: a stream has a few kinds of text delta (content, reasoning…). */
const TEMPLATES = 4;
/** Events that made no template, at most: a stream whose events are never written so stops trying. */
const FAILURES = 8;

export class RawDeltas {
  private readonly templates: Template[] = [];
  private failures = 0;
  /** Start and end of each value of the event being matched. */
  private readonly bounds: number[] = [];

  constructor(
    private readonly members: PerEventMembers,
    private readonly streams: TextPush,
  ) {}

  /**
   * Remembers `raw`, an event the full path masked to `out` with a clean envelope, as a
   * template: its text at `plain`, its per-event members. Call it after `out` is final.
   */
  learn(raw: string, out: unknown, plain: PlainText): void {
    if (this.templates.length >= TEMPLATES || this.failures >= FAILURES) return;
    const template = this.template(raw, out, plain);
    if (template) this.templates.push(template);
    else this.failures++;
  }

  private template(raw: string, out: unknown, plain: PlainText): Template | undefined {
    let input: unknown;
    try {
      input = JSON.parse(raw);
    } catch {
      return undefined;
    }
    if (!isRecord(input) || !isRecord(out)) return undefined;
    const cuts: Cut[] = [{ key: plain.key, text: true }];
    for (const name of this.members.perEvent) {
      const value = input[name];
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      if (!(name in out) || !this.members.alone(name)) return undefined;
      cuts.push({ key: name, text: false });
    }
    const inPieces = piecesAround(input, cuts, plain.path);
    const outPieces = piecesAround(out, cuts, plain.path);
    if (!inPieces || !outPieces || inPieces.order.join() !== outPieces.order.join()) return undefined;
    // The event as it came must be the pieces around its values: written as JSON.stringify writes it.
    if (!boundsOf(raw, inPieces.pieces, this.bounds)) return undefined;
    return { key: plain.key, cuts: inPieces.order.map((i) => cuts[i]!), input: inPieces.pieces, output: outPieces.pieces };
  }

  /** Forgets the templates of a stream that has ended: an event for it takes the full path again. */
  forget(key: string): void {
    for (let i = this.templates.length - 1; i >= 0; i--) if (this.templates[i]!.key === key) this.templates.splice(i, 1);
  }

  /**
   * The masked data for `raw`, as mask() gives it, noted as the last event sent of its stream
   * where `last` keeps one (the template of a delta the gateway adds to that stream).
   */
  maskNoting(raw: string, last: Map<string, { event: SentEvent }>): string | undefined {
    const sent = this.mask(raw);
    const kept = sent && last.get(sent.key);
    if (kept) kept.event = sent.data;
    return sent?.data;
  }

  /** The masked event's data for `raw` and its text's stream, when it matches a template; undefined: take the full path. */
  mask(raw: string): { key: string; data: string } | undefined {
    const bounds = this.bounds;
    for (const template of this.templates) {
      if (!boundsOf(raw, template.input, bounds)) continue;
      const { cuts, output } = template;
      // Every value decoded before any is masked: a text pushed into its stream is sent.
      const values: Array<string | number> = [];
      for (let i = 0; i < cuts.length; i++) {
        const value = scalar(raw, bounds[2 * i]!, bounds[2 * i + 1]!);
        if (cuts[i]!.text ? typeof value !== 'string' : value === undefined) return undefined;
        values.push(value!);
      }
      // In the full path's order: the per-event members (with the envelope), then the text.
      const masked: string[] = [];
      for (let i = 0; i < cuts.length; i++) if (!cuts[i]!.text) masked[i] = json(this.members.own(cuts[i]!.key, values[i]!));
      for (let i = 0; i < cuts.length; i++) if (cuts[i]!.text) masked[i] = quote(this.streams.push(cuts[i]!.key, values[i] as string));
      let out = output[0]!;
      for (let i = 0; i < cuts.length; i++) out += masked[i]! + output[i + 1]!;
      return { key: template.key, data: out };
    }
    return undefined;
  }
}

/**
 * An event sent, kept as the template of a delta the gateway adds: an event masked from its bytes
 * is kept as those bytes, and parsed only if a delta is added after it.
 */
export type SentEvent = Record<string, unknown> | string;

export const sentEvent = (event: SentEvent): Record<string, unknown> => (typeof event === 'string' ? (JSON.parse(event) as Record<string, unknown>) : event);

/** Characters that JSON.parse reads other than as themselves in a string, or refuses. */
const NOT_PLAIN = /[\\\u0000-\u001f]/g;
/** Characters JSON.stringify writes other than as themselves. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The JSON string or number raw[start, end); undefined when it is not valid JSON. */
function scalar(raw: string, start: number, end: number): string | number | undefined {
  if (raw.charCodeAt(start) === 34) {
    NOT_PLAIN.lastIndex = start + 1;
    const special = NOT_PLAIN.exec(raw);
    if (special === null || special.index >= end - 1) return raw.slice(start + 1, end - 1);
  }
  try {
    const value: unknown = JSON.parse(raw.slice(start, end));
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `text` as JSON.stringify writes it. */
const quote = (text: string): string => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);
const json = (value: unknown): string => (typeof value === 'string' ? quote(value) : JSON.stringify(value));

/** Stand-ins for the values while the pieces around them are found: no JSON text holds a NUL unescaped. */
const marker = (i: number) => `\u0000${i}\u0000`;

/**
 * The JSON of `value` cut around the text at `path` and the cuts' per-event members (set to
 * markers, then put back), and the cuts in the order they came; undefined when a marker is not
 * found exactly once.
 */
function piecesAround(value: Record<string, unknown>, cuts: Cut[], path: ReadonlyArray<string | number>): { pieces: string[]; order: number[] } | undefined {
  const parent = parentOf(value, path);
  const last = path.at(-1)!;
  if (!parent || typeof parent[last] !== 'string') return undefined;
  const saved = cuts.map((cut) => (cut.text ? parent[last] : value[cut.key]));
  cuts.forEach((cut, i) => {
    if (cut.text) parent[last] = marker(i);
    else value[cut.key] = marker(i);
  });
  const json = JSON.stringify(value);
  cuts.forEach((cut, i) => {
    if (cut.text) parent[last] = saved[i];
    else value[cut.key] = saved[i];
  });
  const at = cuts.map((_, i) => {
    const quoted = JSON.stringify(marker(i));
    const found = json.indexOf(quoted);
    return found !== -1 && json.indexOf(quoted, found + 1) === -1 ? { i, start: found, end: found + quoted.length } : undefined;
  });
  if (at.some((a) => a === undefined)) return undefined;
  const sorted = (at as Array<{ i: number; start: number; end: number }>).sort((a, b) => a.start - b.start);
  const pieces: string[] = [];
  let from = 0;
  for (const { start, end } of sorted) {
    pieces.push(json.slice(from, start));
    from = end;
  }
  pieces.push(json.slice(from));
  return { pieces, order: sorted.map((a) => a.i) };
}

function parentOf(value: Record<string, unknown>, path: ReadonlyArray<string | number>): Record<string | number, unknown> | undefined {
  let at: unknown = value;
  for (const step of path.slice(0, -1)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at !== null && typeof at === 'object' ? (at as Record<string | number, unknown>) : undefined;
}

/** Whether `raw` is `pieces` around JSON strings or numbers; if so, their bounds are in `bounds` (start, end, …). */
function boundsOf(raw: string, pieces: string[], bounds: number[]): boolean {
  let at = 0;
  for (let i = 0; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (!raw.startsWith(piece, at)) return false;
    at += piece.length;
    const end = scalarEnd(raw, at);
    if (end === -1) return false;
    bounds[2 * i] = at;
    bounds[2 * i + 1] = end;
    at = end;
  }
  const tail = pieces.at(-1)!;
  return raw.length === at + tail.length && raw.startsWith(tail, at);
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** End of the JSON string or number at `at`; -1 when there is none. */
function scalarEnd(raw: string, at: number): number {
  if (raw.charCodeAt(at) === 34) {
    for (let i = raw.indexOf('"', at + 1); i !== -1; i = raw.indexOf('"', i + 1)) {
      let slashes = 0;
      while (raw.charCodeAt(i - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) return i + 1;
    }
    return -1;
  }
  NUMBER.lastIndex = at;
  return NUMBER.test(raw) ? NUMBER.lastIndex : -1;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
