// The JSON an agent gets back from a SQL kind, masked. Every cell goes through the masker in JSON
// mode under its column name, so sensitive column names (password, token, secret…) are masked by
// key and any value by the detectors (emails, card numbers…); the connection's `maskColumns` add
// names of its own, and columns a kind knows to be computed from masked columns (postgres'
// lineage) are masked whole. Kinds turn their driver's rows into JSON values first.
import { createHash } from 'node:crypto';
import type { Finding, Masker } from '../masking/index.js';
import type { OperationDetail } from './operation.js';
import { pushAll } from '../platform/arrays.js';

/** One statement's result, cells already JSON values, in the kind's own type names. */
export interface SqlResult {
  command: string | null;
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

export interface SqlResponse {
  columns: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
  rowCount: number;
  truncated: boolean;
  command: string | null;
  /** One entry per statement when the request held several; the fields above are the last one's. */
  statements?: Array<{ command: string | null; rowCount: number; truncated: boolean }>;
}

/** Finding rule (and replacement marker) for cells of the connection's `maskColumns`. */
export const MASK_COLUMN_RULE = 'mask-column';

export function maskedSqlResponse(
  results: readonly SqlResult[],
  masker: Masker,
  maskColumns: readonly string[],
  /** Which columns of the last result derive from masked columns, by position. */
  derived: (names: readonly string[]) => boolean[] = (names) => names.map(() => false),
): { body: SqlResponse; findings: Finding[]; details: Record<string, OperationDetail> } {
  const findings: Finding[] = [];
  const last = results.at(-1)!;
  const forcedColumn = columnMatcher(maskColumns);
  const fromMasked = derived(last.columns.map((c) => c.name));
  // A derived column that the masker masks by its own name anyway keeps that finding's rule.
  const byKey = (name: string) => masker.json({ [name]: 'x' }, '$').findings.length > 0;
  const forced = last.columns.map((column, i) => forcedColumn(column.name) || (fromMasked[i] === true && !byKey(column.name)));
  const names = uniqueNames(last.columns.map((c) => masker.text(c.name).text));

  const rows = last.rows.map((row, r) => {
    const out: Record<string, unknown> = {};
    last.columns.forEach((column, c) => {
      const value = row[c] ?? null;
      const path = `$.rows[${r}]`;
      out[names[c]!] = forced[c] ? maskColumn(value, `${path}.${column.name}`, findings) : maskCell(masker, column.name, value, path, findings);
    });
    return out;
  });

  const body: SqlResponse = {
    columns: last.columns.map((c, i) => ({ name: names[i]!, type: c.type })),
    rows,
    rowCount: last.rowCount,
    truncated: last.truncated,
    command: last.command,
    ...(results.length > 1 && { statements: results.map((r) => ({ command: r.command, rowCount: r.rowCount, truncated: r.truncated })) }),
  };
  return {
    body,
    findings,
    details: { statements: results.length, rowCount: last.rowCount, truncated: results.some((r) => r.truncated) },
  };
}

/** Masks one cell as the value of its column name, so key rules apply as to any JSON object. */
function maskCell(masker: Masker, name: string, value: unknown, path: string, findings: Finding[]): unknown {
  if (value === null || typeof value === 'boolean') return value;
  const result = masker.json({ [name]: value }, path);
  pushAll(findings, result.findings);
  return Object.values(result.value as Record<string, unknown>)[0];
}

function maskColumn(value: unknown, location: string, findings: Finding[]): unknown {
  if (value === null) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  findings.push({ rule: MASK_COLUMN_RULE, location, length: text.length, hash: createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8) });
  return `[MASKED:${MASK_COLUMN_RULE}]`;
}

const normalize = (s: string) => s.toLowerCase().replace(/[-_.\s]/g, '');

/**
 * Personal data by column name, masked wherever SQL derives something from it even when the
 * connection lists no maskColumns: the value detectors cannot recognise `substr(card_number, 1, 8)`.
 */
const PERSONAL = /(?:email|cardnumber|creditcard|ccnumber|ssn|socialsecurity|phone|phonenumber|iban|taxid|passport)$/;

export const personalColumn = (name: string): boolean => PERSONAL.test(normalize(name));

/** Matches as the masker matches sensitive keys: case and separators ignored, equal or ending with a name. */
export function columnMatcher(names: readonly string[]): (column: string) => boolean {
  const wanted = names.map(normalize).filter((n) => n.length > 0);
  return (column) => {
    const n = normalize(column);
    return wanted.some((w) => n === w || n.endsWith(w));
  };
}

/** Duplicate column names (`SELECT 1 AS a, 2 AS a`) get a suffix, so no cell is lost in a row object. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 2; seen.has(unique); n++) unique = `${name}_${n}`;
    seen.add(unique);
    return unique;
  });
}
