// Dates on the command line: UTC days, YYYY-MM-DD.
import { daySchema } from '../../../shared/sessions/index.js';
import { UsageError } from '../../io.js';

export function parseDay(value: string, flag: string): string {
  if (!daySchema.safeParse(value).success) throw new UsageError(`${flag} "${value}" is not a date (YYYY-MM-DD)`);
  return value;
}
