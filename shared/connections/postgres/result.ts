// The JSON an agent gets back from postgres, masked as every SQL kind's is (sql-result.ts): the
// driver's text values turned into JSON values by their column types first. `maskColumns` with a
// table or schema ("customers.email") are lineage.ts's, found through the query.
import type { Finding, Masker } from '../../masking/index.js';
import type { OperationDetail } from '../operation.js';
import { maskedSqlResponse, type SqlResponse } from '../sql-result.js';
import type { StatementResult } from './execute.js';
import { jsonValue, typeName } from './values.js';

export function maskedResponse(
  results: readonly StatementResult[],
  masker: Masker,
  maskColumns: readonly string[],
  /** Which columns of the last result derive from masked columns (lineage.ts), by position. */
  derived?: (names: readonly string[]) => boolean[],
): { body: SqlResponse; findings: Finding[]; details: Record<string, OperationDetail> } {
  const converted = results.map((result) => ({
    ...result,
    columns: result.columns.map((c) => ({ name: c.name, type: typeName(c.typeId) })),
    rows: result.rows.map((row) => result.columns.map((column, c) => jsonValue(column.typeId, row[c] ?? null))),
  }));
  return maskedSqlResponse(converted, masker, maskColumns.filter((name) => !name.includes('.')), derived);
}
