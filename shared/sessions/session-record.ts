// One session assembled from its session-day files (from storage or an export): its events, oldest
// first, and whether every day's chain verifies, across the blobs a day rolled over into.
import { createFileStats } from './file-stats.js';
import { headMismatch, type SealedHeads } from './ledger.js';
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

/**
 * Keeps events whose time is within [fromMs, toMs]; verifies every line of every file regardless,
 * and each day its ledger sealed (`sealed`) against the head the ledger holds: a chain alone
 * cannot tell that its last lines or its last part were cut off.
 */
export function sessionRecord(
  sessionId: string,
  files: SessionDayFile[],
  range: { fromMs?: number; toMs?: number } = {},
  sealed: ReadonlyMap<string, SealedHeads> = new Map(),
): SessionRecord {
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
    problems.push(...ledgerProblems(sessionId, day, byDay.get(day)!, sealed.get(day)));
  }
  return { sessionId, events, verified: problems.length === 0, problems };
}

/** The day's files, read as one, against what its ledger sealed (nothing while it is not sealed). */
function ledgerProblems(sessionId: string, day: string, files: SessionDayFile[], ledger: SealedHeads): VerifyProblem[] {
  if (ledger === undefined) return [];
  const last = blobPath(day, sessionId, Math.max(...files.map((file) => file.part ?? 0)));
  if ('problem' in ledger) return [{ file: last, line: 0, message: `cannot be checked against its day's ledger: ${ledger.problem}` }];
  const head = ledger.heads.get(sessionId);
  if (!head) return [{ file: last, line: 0, message: `is not in the ledger of ${day} (the day was sealed without it)` }];
  const stats = createFileStats();
  for (const { bytes } of files) if (bytes) stats.add(bytes);
  const message = headMismatch(day, stats.result(), head);
  return message === undefined ? [] : [{ file: last, line: 0, message }];
}
