// One session assembled from its session-day files (from storage or an export): its events, oldest
// first, and whether every day's chain verifies.
import { splitLines } from './lines.js';
import type { SessionEvent } from './schema.js';
import { createChainVerifier, type VerifyProblem } from './verify.js';

export interface SessionRecord {
  sessionId: string;
  events: SessionEvent[];
  verified: boolean;
  problems: VerifyProblem[];
}

export interface SessionDayFile {
  day: string;
  /** Where the file is, for problems. */
  path: string;
  /** Undefined when the file is known to exist but could not be found. */
  bytes: Buffer | undefined;
}

/** Keeps events whose time is within [fromMs, toMs]; verifies every line of every file regardless. */
export function sessionRecord(sessionId: string, files: SessionDayFile[], range: { fromMs?: number; toMs?: number } = {}): SessionRecord {
  const events: SessionEvent[] = [];
  const problems: VerifyProblem[] = [];
  for (const { day, path, bytes } of [...files].sort((a, b) => a.day.localeCompare(b.day))) {
    if (!bytes) {
      problems.push({ file: path, line: 0, message: 'is missing' });
      continue;
    }
    const verifier = createChainVerifier({ sessionId, day, file: path });
    for (const line of splitLines(bytes)) {
      const event = verifier.line(line.text, line.terminated);
      if (!event) continue;
      const time = Date.parse(event.time);
      if ((range.fromMs === undefined || time >= range.fromMs) && (range.toMs === undefined || time <= range.toMs)) events.push(event);
    }
    problems.push(...verifier.end());
  }
  return { sessionId, events, verified: problems.length === 0, problems };
}
