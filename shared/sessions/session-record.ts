// One session assembled from its session-day files (from storage or an export): its events, oldest
// first, and whether every day's chain verifies, across the blobs a day rolled over into.
import { splitLines } from './lines.js';
import type { SessionEvent } from './schema.js';
import { blobPath } from './names.js';
import { createChainVerifier, type ChainVerifier, type VerifyProblem } from './verify.js';

export interface SessionRecord {
  sessionId: string;
  events: SessionEvent[];
  verified: boolean;
  problems: VerifyProblem[];
}

export interface SessionDayFile {
  day: string;
  /** Which blob of the day (default 0; names.ts). */
  part?: number;
  /** Where the file is, for problems. */
  path: string;
  /** Undefined when the file is known to exist but could not be found. */
  bytes: Buffer | undefined;
}

/** Keeps events whose time is within [fromMs, toMs]; verifies every line of every file regardless. */
export function sessionRecord(sessionId: string, files: SessionDayFile[], range: { fromMs?: number; toMs?: number } = {}): SessionRecord {
  const events: SessionEvent[] = [];
  const problems: VerifyProblem[] = [];
  const byDay = new Map<string, SessionDayFile[]>();
  for (const file of files) byDay.set(file.day, [...(byDay.get(file.day) ?? []), file]);
  for (const day of [...byDay.keys()].sort()) {
    let verifier: ChainVerifier | undefined;
    let expected = 0;
    for (const { path, bytes, part = 0 } of byDay.get(day)!.sort((a, b) => (a.part ?? 0) - (b.part ?? 0))) {
      for (; expected < part; expected += 1) problems.push({ file: blobPath(day, sessionId, expected), line: 0, message: 'is missing' });
      expected = part + 1;
      if (!bytes) {
        problems.push({ file: path, line: 0, message: 'is missing' });
        continue;
      }
      if (verifier) verifier.next(part, path);
      else verifier = createChainVerifier({ sessionId, day, file: path, part });
      for (const line of splitLines(bytes)) {
        const event = verifier.line(line.text, line.terminated);
        if (!event) continue;
        const time = Date.parse(event.time);
        if ((range.fromMs === undefined || time >= range.fromMs) && (range.toMs === undefined || time <= range.toMs)) events.push(event);
      }
    }
    problems.push(...(verifier?.end() ?? []));
  }
  return { sessionId, events, verified: problems.length === 0, problems };
}
