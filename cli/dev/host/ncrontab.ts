// NCRONTAB schedules as Azure Functions timer triggers use them: six fields
// `second minute hour day month day-of-week`, evaluated in UTC. Each field takes `*`, numbers,
// ranges `a-b`, steps `*/n` or `a-b/n`, and lists; month and day-of-week also take names.
// A day must match both the day and the day-of-week field (NCrontab's rule).

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export interface Schedule {
  expression: string;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
}

export function parseNcrontab(expression: string): Schedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new Error(`NCRONTAB "${expression}" has ${parts.length} fields; expected 6 (second minute hour day month day-of-week)`);
  }
  const problems: string[] = [];
  const sets = FIELDS.map((field, i) => parseField(parts[i]!, field, problems));
  if (problems.length > 0) throw new Error(`NCRONTAB "${expression}": ${problems.join('; ')}`);
  const [seconds, minutes, hours, days, months, weekdays] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return {
    expression,
    next(after) {
      const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
      while (t.getTime() <= limit) {
        if (!months.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0);
        } else if (!days.has(t.getUTCDate()) || !weekdays.has(t.getUTCDay())) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0);
        } else if (!hours.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0);
        } else if (!minutes.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0);
        } else if (!seconds.has(t.getUTCSeconds())) {
          t.setUTCSeconds(t.getUTCSeconds() + 1);
        } else {
          return t;
        }
      }
      throw new Error(`NCRONTAB "${expression}" has no occurrence within five years`);
    },
  };
}

function parseField(text: string, field: Field, problems: string[]): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!match) {
      problems.push(`${field.name} "${item}" is not a number, range, list or step`);
      continue;
    }
    const step = match[2] === undefined ? 1 : Number(match[2]);
    let [low, high] = [field.min, field.max];
    if (match[1] !== '*') {
      const [a, b] = match[1]!.split('-').map((v) => value(v, field));
      if (a === undefined || (b === undefined && match[1]!.includes('-'))) {
        problems.push(`${field.name} "${item}" is outside ${field.min}-${field.max}`);
        continue;
      }
      low = a;
      high = b ?? (match[2] === undefined ? a : field.max);
    }
    if (step < 1 || low > high) {
      problems.push(`${field.name} "${item}" is an empty range`);
      continue;
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return values;
}

function value(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  // 7 is Sunday too in day-of-week, as in most crons.
  if (field.name === 'day-of-week' && n === 7) return 0;
  return n >= field.min && n <= field.max ? n : undefined;
}
