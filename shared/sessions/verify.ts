// Verifies a session-day's lines: each parses, matches the schema, is in canonical form, belongs to
// the session, has the next seq, links to the previous line's hash (the genesis for the first),
// and hashes to its own `hash`; `session.start` opens the blob and every segment after a
// `session.end`. Pure, and fed line by line so large files never sit in memory whole.
import { canonicalJson } from './canonical-json.js';
import { genesis, lineHash } from './chain.js';
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
}

export interface ChainVerifier {
  /** Checks the next line (without its newline); returns the event when the line is readable. */
  line(text: string, terminated?: boolean): SessionEvent | undefined;
  /** Every problem found, in line order. */
  end(): VerifyProblem[];
}

export function createChainVerifier(context: ChainContext): ChainVerifier {
  const problems: VerifyProblem[] = [];
  let lineNo = 0;
  let expectedSeq = 0;
  // Undefined after an unreadable line: the next line's prev cannot be checked.
  let expectedPrev: string | undefined = genesis(context.sessionId, context.day);
  let previousType: EventType | undefined;

  const report = (message: string) => problems.push({ ...(context.file ? { file: context.file } : {}), line: lineNo, message });

  return {
    line(text, terminated = true) {
      lineNo += 1;
      const parsed = parseLine(text);
      if (typeof parsed === 'string') {
        report(parsed);
        [expectedSeq, expectedPrev, previousType] = [expectedSeq + 1, undefined, undefined];
        return undefined;
      }
      const { event, raw } = parsed;
      const problem = !terminated
        ? 'is not terminated by a newline (the file was cut short)'
        : event
          ? eventProblem(text, raw.value, event, { seq: expectedSeq, prev: expectedPrev, previousType, lineNo }, context)
          : raw.problem;
      if (problem) report(problem);
      // Resynchronize on what the line claims, so one broken line is one problem, not a cascade.
      const claimed = raw.value as { seq?: unknown; hash?: unknown };
      expectedSeq = typeof claimed.seq === 'number' ? claimed.seq + 1 : expectedSeq + 1;
      expectedPrev = typeof claimed.hash === 'string' ? claimed.hash : undefined;
      previousType = event?.type;
      return event;
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
  seq: number;
  prev: string | undefined;
  previousType: EventType | undefined;
  lineNo: number;
}

function eventProblem(text: string, value: object, event: SessionEvent, expected: Expected, context: ChainContext): string | undefined {
  if (text !== canonicalJson(value)) return 'is not in canonical form (its bytes were changed)';
  if (event.sessionId !== context.sessionId) return `belongs to session "${event.sessionId}", not "${context.sessionId}"`;
  if (event.seq !== expected.seq) return `seq is ${event.seq}, expected ${expected.seq} (a line is missing, added or out of order)`;
  if (expected.prev !== undefined && event.prev !== expected.prev) return prevProblem(expected.lineNo, context);
  if (lineHash(withoutHash(event)) !== event.hash) return 'hash does not match the line (its content was changed)';
  return structureProblem(event.type, expected.previousType, expected.lineNo);
}

function withoutHash(event: SessionEvent): object {
  const { hash: _hash, ...rest } = event;
  return rest;
}

function prevProblem(lineNo: number, context: ChainContext): string {
  return lineNo === 1
    ? `prev is not the genesis of session "${context.sessionId}" on ${context.day}`
    : `prev does not match the hash of line ${lineNo - 1} (the chain is broken here)`;
}

function structureProblem(type: EventType, previous: EventType | undefined, lineNo: number): string | undefined {
  if (lineNo === 1) return type === 'session.start' ? undefined : `is a ${type}, but a session-day starts with session.start`;
  if (previous === undefined) return undefined; // after an unreadable line
  if (previous === 'session.end' && type !== 'session.start') return `is a ${type} after session.end (expected session.start)`;
  if (type === 'session.start' && previous !== 'session.end') return 'is a session.start inside an open session';
  return undefined;
}
