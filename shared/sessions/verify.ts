// Verifies a session-day's lines: each parses, matches the schema, is in canonical form, belongs to
// the session, has the next seq, links to the previous line's hash (the genesis for the first),
// and hashes to its own `hash`; `session.start` opens the blob and every segment after a
// `session.end`. A session-day that rolled over into several blobs is one chain: each later blob
// opens with a `session.start` whose `details.continues` names the blob before and whose `prev` is
// that blob's last hash, and seq runs on. Pure, and fed line by line so large files never sit in
// memory whole.
import { canonicalJson } from './canonical-json.js';
import { genesis, lineHash } from './chain.js';
import { blobPath } from './names.js';
import { sessionEventSchema, type EventType, type SessionEvent } from './schema.js';

/** One broken line: `line` is 1-based; `file` is set by callers that verify files. */
export interface VerifyProblem {
  file?: string;
  line: number;
  message: string;
}

export interface ChainContext {
  sessionId: string;
  day: string;
  file?: string;
  /**
   * Which blob of the session-day the lines start in (default 0). Started on a later one, the
   * verifier cannot know the seq and prev its first line continues from, and checks the rest.
   */
  part?: number;
}

export interface ChainVerifier {
  /** Checks the next line (without its newline); returns the event when the line is readable. */
  line(text: string, terminated?: boolean): SessionEvent | undefined;
  /** The lines that follow are those of blob `part` of the same session-day (at `file`). */
  next(part: number, file?: string): void;
  /** Every problem found, in line order. */
  end(): VerifyProblem[];
}

export function createChainVerifier(context: ChainContext): ChainVerifier {
  const problems: VerifyProblem[] = [];
  let { file, part = 0 } = context;
  let lineNo = 0;
  // Undefined when unknown (after an unreadable line, or starting on a later part): not checked.
  let expectedSeq: number | undefined = part === 0 ? 0 : undefined;
  let expectedPrev: string | undefined = part === 0 ? genesis(context.sessionId, context.day) : undefined;
  let previousType: EventType | undefined;

  const report = (message: string) => problems.push({ ...(file ? { file } : {}), line: lineNo, message });

  return {
    line(text, terminated = true) {
      lineNo += 1;
      const parsed = parseLine(text);
      if (typeof parsed === 'string') {
        report(parsed);
        [expectedSeq, expectedPrev, previousType] = [expectedSeq === undefined ? undefined : expectedSeq + 1, undefined, undefined];
        return undefined;
      }
      const { event, raw } = parsed;
      const problem = !terminated
        ? 'is not terminated by a newline (the file was cut short)'
        : event
          ? eventProblem(text, raw.value, event, { seq: expectedSeq, prev: expectedPrev, previousType, lineNo, part }, context)
          : raw.problem;
      if (problem) report(problem);
      // Resynchronize on what the line claims, so one broken line is one problem, not a cascade.
      const claimed = raw.value as { seq?: unknown; hash?: unknown };
      expectedSeq = typeof claimed.seq === 'number' ? claimed.seq + 1 : expectedSeq === undefined ? undefined : expectedSeq + 1;
      expectedPrev = typeof claimed.hash === 'string' ? claimed.hash : undefined;
      previousType = event?.type;
      return event;
    },
    next(nextPart, nextFile) {
      [part, file, lineNo] = [nextPart, nextFile, 0];
    },
    end: () => problems,
  };
}

/** Verifies a whole session-day (lines without their newlines). */
export function verifyChain(lines: string[], context: ChainContext): VerifyProblem[] {
  const verifier = createChainVerifier(context);
  for (const line of lines) verifier.line(line);
  return verifier.end();
}

type ParsedLine = { event: SessionEvent | undefined; raw: { value: object; problem?: string } };

function parseLine(text: string): ParsedLine | string {
  if (text === '') return 'is empty';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'is not a JSON object';
  const result = sessionEventSchema.safeParse(value);
  if (result.success) return { event: result.data, raw: { value } };
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return { event: undefined, raw: { value, problem: `does not match the event schema (${where}${issue.message})` } };
}

interface Expected {
  seq: number | undefined;
  prev: string | undefined;
  previousType: EventType | undefined;
  lineNo: number;
  part: number;
}

function eventProblem(text: string, value: object, event: SessionEvent, expected: Expected, context: ChainContext): string | undefined {
  if (text !== canonicalJson(value)) return 'is not in canonical form (its bytes were changed)';
  if (event.sessionId !== context.sessionId) return `belongs to session "${event.sessionId}", not "${context.sessionId}"`;
  if (expected.seq !== undefined && event.seq !== expected.seq) return `seq is ${event.seq}, expected ${expected.seq} (a line is missing, added or out of order)`;
  if (expected.prev !== undefined && event.prev !== expected.prev) return prevProblem(expected, context);
  if (lineHash(withoutHash(event)) !== event.hash) return 'hash does not match the line (its content was changed)';
  if (expected.lineNo === 1) return openingProblem(event, expected.part, context);
  return structureProblem(event.type, expected.previousType);
}

function withoutHash(event: SessionEvent): object {
  const { hash: _hash, ...rest } = event;
  return rest;
}

function prevProblem(expected: Expected, context: ChainContext): string {
  if (expected.lineNo > 1) return `prev does not match the hash of line ${expected.lineNo - 1} (the chain is broken here)`;
  return expected.part === 0
    ? `prev is not the genesis of session "${context.sessionId}" on ${context.day}`
    : `prev is not the hash of the last line of ${blobPath(context.day, context.sessionId, expected.part - 1)} (a blob of the session-day is missing or was changed)`;
}

/** A blob opens with session.start; a later part's names the part it continues. */
function openingProblem(event: SessionEvent, part: number, context: ChainContext): string | undefined {
  if (event.type !== 'session.start') return `is a ${event.type}, but a session-day starts with session.start`;
  const continues = event.details?.continues;
  if (part === 0) return continues === undefined ? undefined : 'continues another blob, but opens the session-day';
  const before = blobPath(context.day, context.sessionId, part - 1);
  return continues === before ? undefined : `does not say it continues ${before}`;
}

function structureProblem(type: EventType, previous: EventType | undefined): string | undefined {
  if (previous === undefined) return undefined; // after an unreadable line
  if (previous === 'session.end' && type !== 'session.start') return `is a ${type} after session.end (expected session.start)`;
  if (type === 'session.start' && previous !== 'session.end') return 'is a session.start inside an open session';
  return undefined;
}
