// Dates on the command line: UTC days, YYYY-MM-DD.
import { daySchema } from '../../../shared/sessions/index.js';
import { UsageError } from '../../io.js';

export function parseDay(value: string, flag: string): string {
  if (!daySchema.safeParse(value).success) throw new UsageError(`${flag} "${value}" is not a date (YYYY-MM-DD)`);
  return value;
}

/**
 * The most days a --from..--to range may span unless --max-days says more. Storage is listed one
 * day at a time, so a mistyped year (1025 for 2025) would list 365,000 days before saying anything.
 */
export const MAX_DAYS = 366;

export const rangeOptions = { 'max-days': { type: 'string' } } as const;
export const rangeFlags = { 'max-days': ['N', `the most days --from..--to may span (default: ${MAX_DAYS})`] } as const;

/** --from and --to, both included: in order, and no more days apart than --max-days allows. */
export function parseDayRange(values: { from: string; to: string; 'max-days'?: string }): { from: string; to: string } {
  const from = parseDay(values.from, '--from');
  const to = parseDay(values.to, '--to');
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const given = values['max-days'];
  if (given !== undefined && !/^[1-9]\d*$/.test(given)) throw new UsageError(`--max-days "${given}" is not a number of days`);
  const max = given === undefined ? MAX_DAYS : Number(given);
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days > max) throw new UsageError(`--from ${from} --to ${to} spans ${days} days, more than ${max}: check the dates, or allow it with --max-days ${days}`);
  return { from, to };
}
