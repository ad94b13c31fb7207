// The JSON an agent gets back: PostgreSQL's text values turned into JSON by type, then masked as
// every SQL kind's results are (../sql-result.ts).
import type { Finding, Masker } from '../../masking/index.js';
import type { OperationDetail } from '../operation.js';
import { maskedSqlResponse, type SqlResponse } from '../sql-result.js';
import type { StatementResult } from './execute.js';
import { jsonValue, typeName } from './values.js';

export { MASK_COLUMN_RULE, type SqlResponse } from '../sql-result.js';

export function maskedResponse(
  results: readonly StatementResult[],
  masker: Masker,
  maskColumns: readonly string[],
): { body: SqlResponse; findings: Finding[]; details: Record<string, OperationDetail> } {
  const json = results.map((r) => ({
    command: r.command,
    columns: r.columns.map((c) => ({ name: c.name, type: typeName(c.typeId) })),
    rows: r.rows.map((row) => r.columns.map((c, i) => jsonValue(c.typeId, row[i] ?? null))),
    rowCount: r.rowCount,
    truncated: r.truncated,
  }));
  return maskedSqlResponse(json, masker, maskColumns);
}
