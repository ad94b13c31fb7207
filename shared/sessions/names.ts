// Where session logs live: container names, the blob path of a session-day, and UTC days.
import { z } from 'zod';

export const SESSION_CONTAINER = 'sessions';
export const EXPORT_CONTAINER = 'exports';

/** A UTC calendar day, `YYYY-MM-DD` (checked: 2025-02-30 is refused). */
export const daySchema = z.iso.date();

const DAY_MS = 86_400_000;

export const dayOf = (time: Date | string): string => new Date(time).toISOString().slice(0, 10);

/**
 * `yyyy/mm/dd/{sessionId}.jsonl`: the first append blob of a session and UTC day; a session-day
 * that outgrows it continues in `{sessionId}~1.jsonl`, `{sessionId}~2.jsonl`… (`~` cannot occur
 * in a session id, so a part's name never reads as another session's).
 */
export const blobPath = (day: string, sessionId: string, part = 0): string =>
  `${day.replaceAll('-', '/')}/${sessionId}${part > 0 ? `~${part}` : ''}.jsonl`;

/** The blob prefix that lists one day's sessions. */
export const dayPrefix = (day: string): string => `${day.replaceAll('-', '/')}/`;

const pathPattern = /^(\d{4})\/(\d{2})\/(\d{2})\/([^/~]+)(?:~([1-9]\d{0,8}))?\.jsonl$/;

/** The session-day (and which of its blobs) a blob or exported file path names, or undefined. */
export function parseBlobPath(path: string): { day: string; sessionId: string; part: number } | undefined {
  const match = pathPattern.exec(path);
  if (!match) return undefined;
  const day = `${match[1]}-${match[2]}-${match[3]}`;
  return daySchema.safeParse(day).success ? { day, sessionId: match[4]!, part: Number(match[5] ?? 0) } : undefined;
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY_MS) days.push(dayOf(new Date(t)));
  return days;
}

export const previousDay = (day: string): string => dayOf(new Date(Date.parse(day) - DAY_MS));
