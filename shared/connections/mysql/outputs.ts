// Which result columns of a MySQL statement may carry a masked value under a name that does not say
// so (`api_token AS t`, `replace(email, '@', ' at ')`). There is no column lineage here (postgres
// has one): when the statement names a masked column anywhere, reads whole rows or calls code the
// classifier cannot see, every result column is masked except a column read as it is under its own
// name, which is masked or not by that name as any column is; and those too when the statement has
// derived tables, CTEs or set operations, whose columns a plain name no longer tells apart. The
// same facts say whether the server's error messages may quote a masked value (readsMasked). Pure.
import { columnMatcher, personalColumn } from '../sql-result.js';

type Node = Record<string, unknown>;

/** What a statement's result columns are made of, from node-sql-parser's tree. */
export interface Outputs {
  /** Every column name the statement refers to anywhere (`*` for a star). */
  columns: string[];
  /** Per target of the top-level SELECT: the column it reads under its own name (or `*`), else undefined; undefined for a statement that renames through subqueries, CTEs or set operations. */
  targets: Array<string | undefined> | undefined;
  /** It calls functions whose reads the classifier does not see. */
  opaque: boolean;
  /** It is more than a read (a write, DDL…): it may touch columns it does not name. */
  changes: boolean;
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

/** `sampled`: it reads the optimizer's statistics, samples of other tables' columns, so no output is known to be safe. */
export function outputsOf(statement: Node, opaque: boolean, changes: boolean, sampled = false): Outputs {
  const columns: string[] = [];
  // Anywhere, not only at the top: coarse, so never too little.
  let renames = false;
  const stack: unknown[] = [statement];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (isNode(value)) {
      if (value.type === 'column_ref') columns.push(columnName(value.column) ?? '*');
      if (isNode(value.with) || isNode(value._next) || (Array.isArray(value.from) && value.from.some(derivedTable))) renames = true;
      stack.push(...Object.values(value));
    }
  }
  const targets = statement.type !== 'select' || renames || sampled || !Array.isArray(statement.columns)
    ? undefined
    : (statement.columns as unknown[]).map((target) => plainTarget(target));
  return { columns, targets, opaque: opaque || sampled, changes };
}

/** `FROM (SELECT …) s`: its columns are named by the subquery. */
const derivedTable = (item: unknown) => isNode(item) && isNode(item.expr) && isNode(item.expr.ast);

/** The column a target reads under its own name (`email`, `c.email`, `*`), if that is all it is. */
function plainTarget(target: unknown): string | undefined {
  if (!isNode(target) || !isNode(target.expr) || target.expr.type !== 'column_ref') return undefined;
  const column = columnName(target.expr.column);
  if (column === undefined) return undefined;
  const alias = typeof target.as === 'string' ? target.as : undefined;
  return alias === undefined || alias.toLowerCase() === column.toLowerCase() ? column : undefined;
}

function columnName(column: unknown): string | undefined {
  if (typeof column === 'string') return column;
  // Newer grammars wrap names: { expr: { type: 'default', value: 'email' } }.
  if (isNode(column) && isNode(column.expr) && typeof column.expr.value === 'string') return column.expr.value;
  return undefined;
}

/** Whether the statement names a masked column anywhere (a star may hold one), or calls code that may read one. */
function namesMasked(outputs: Outputs, maskColumns: readonly string[], sensitiveName: (name: string) => boolean): boolean {
  const specified = columnMatcher(maskColumns);
  const masked = (name: string) => name === '*' || specified(name) || sensitiveName(name) || personalColumn(name);
  return outputs.opaque || outputs.columns.some(masked);
}

/**
 * Whether an error of the statement may quote a masked value: it reads one, or changes rows or
 * tables, whose errors quote columns it need not name (`Duplicate entry` of a key over several
 * columns, a value a new column type refuses).
 */
export function readsMasked(outputs: Outputs, maskColumns: readonly string[], sensitiveName: (name: string) => boolean): boolean {
  return outputs.changes || namesMasked(outputs, maskColumns, sensitiveName);
}

/** For each result column (by position, given their names): whether it is masked whole. */
export function derivedMasks(
  outputs: Outputs,
  maskColumns: readonly string[],
  sensitiveName: (name: string) => boolean,
): (names: readonly string[]) => boolean[] {
  const reads = namesMasked(outputs, maskColumns, sensitiveName);
  return (names) => {
    if (!reads) return names.map(() => false);
    const targets = outputs.targets;
    if (targets === undefined) return names.map(() => true);
    // A star's columns are the tables' own, under their own names: judged by name, as plain targets are;
    // with a star, other targets' positions are not known.
    if (targets.includes('*')) return names.map(() => targets.some((t) => t === undefined));
    return names.map((_, i) => targets[i] === undefined);
  };
}
