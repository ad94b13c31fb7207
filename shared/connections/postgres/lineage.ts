// Which columns of a result derive from masked columns, read off the parse tree, so that SQL cannot
// undo masking: `substr(card_number, 1, 8)`, `replace(email, '@', ' at ')`,
// `encode(email::bytea, 'base64')`, `reverse(card_number)`, `email AS contact`, a subquery or CTE
// that renames it, `row_to_json(c)`: each comes out masked whole, because it is computed from a
// masked column.
//
// Masked source columns are the connection's `maskColumns` (`email`, `customers.email`,
// `public.customers.email`, `*.card_number`, `public.customers.*`; a spec naming a table applies
// when the request reads that table) and columns whose names the masker treats as sensitive keys
// (api_token, password…). Taint then follows names through every query of the request until
// nothing changes: an output (a SELECT's or RETURNING's target, a subquery's or CTE's column, a
// column alias list entry) that is computed from a tainted name is tainted under its own name.
// This is deliberately coarse — names, not resolved columns — so a same-named column of another
// table may be masked too, but never the other way round. Where the derivation cannot be followed,
// it fails closed and masks: whole-row references (`c`, `c.*` inside an expression, `c::text`,
// `row_to_json(c)`) and calls to functions that are not known built-ins, whatever the connection
// lists, since the tree does not name the columns they read and any may be masked by its name; a
// table-wide spec; the planner's statistics (pg_stats…), whose values are samples of every column;
// and results of statements whose columns the tree does not describe (FETCH, EXECUTE, CALL…) when
// anything masked is in play.
import type { Node } from 'libpg-query';
import { functionKind } from './sql-functions.js';
import { personalColumn } from '../sql-result.js';

type Fields = Record<string, unknown>;

interface Spec {
  schema: string;
  table: string;
  column: string;
  /** A bare name matches as masked JSON keys do: a column equal to it or ending with it. */
  suffix: boolean;
}

const normalize = (s: string) => s.toLowerCase().replace(/[-_.\s]/g, '');

export interface LineageInput {
  /** The request's statements; the result is the last one's. */
  statements: readonly Node[];
  /** Tables the request reads, schema-qualified (the analysis' resources). */
  tables: readonly string[];
  /** The connection's maskColumns. */
  maskColumns: readonly string[];
  /** Whether the masker masks a value under this key whatever it is. */
  sensitiveName: (name: string) => boolean;
}

/**
 * Catalogs holding samples of column values (most common values, histogram bounds) that the
 * planner gathers from every column, masked ones included: whatever reads them is masked whole.
 */
const STATISTICS = new Set(['pg_stats', 'pg_stats_ext', 'pg_stats_ext_exprs', 'pg_statistic', 'pg_statistic_ext_data'].map((t) => `pg_catalog.${t}`));

/** For each column of the last statement's result (by position, given their names): whether it is masked. */
export function derivedMasks(input: LineageInput): (names: readonly string[]) => boolean[] {
  const { all, specified, taint } = lineage(input);
  if (all) return (names) => names.map(() => true);
  const last = input.statements.at(-1);
  const outputs = last === undefined ? undefined : resultTargets(last);
  return (names) => {
    if (outputs === undefined) return names.map((n) => taint.has(n) || taint.anything());
    // A personal column read as it is reaches the value detectors whole (`email` → pii-email): it is left to them.
    const raw = (e: unknown) => {
      const name = plainColumn(e);
      return name !== undefined && personalColumn(name) && !specified(name) && !taint.renamed(name);
    };
    const targets = outputs.map((t) => t.map((e) => taint.expression(e) && !raw(e)));
    const byName = names.map((n) => taint.has(n) && !(personalColumn(n) && !specified(n) && !taint.renamed(n)));
    return placeTargets(targets, outputs, names.length).map((m, i) => m || byName[i]!);
  };
}

/**
 * Whether the request may read a masked value anywhere (a masked or derived column named in any
 * clause, a whole row, an opaque function), writes rows, or runs what the tree does not describe
 * (DO, CALL, FETCH…): then its error messages may quote masked values too. A write counts since
 * its constraint errors quote the whole row it wrote (`Failing row contains (…)`), columns it did
 * not name included. The stars of a statement's own result do not count: their columns come out
 * as they are, masked by name, and reach no expression an error could quote.
 */
export function readsMasked(input: LineageInput): boolean {
  const { all, taint } = lineage(input);
  return all || input.statements.some((s) => {
    const targets = resultTargets(s);
    return targets === undefined || writesRows(s) || taint.expression(s, new Set(targets.flat().filter(isStar)));
  });
}

function lineage(input: LineageInput): { all: boolean; specified: (name: string) => boolean; taint: Taint } {
  const specs = input.maskColumns.map(parseSpec).filter((s) => s.column.length > 0);
  const active = specs.filter((s) => s.table === '*' || input.tables.some((t) => tableMatches(s, t)));
  const specified = (name: string) => active.some((s) => columnMatches(s, name)) || input.sensitiveName(name);
  const base = (name: string) => specified(name) || personalColumn(name);
  const taint = new Taint(base, active.length > 0, relationNames(input.statements));
  const all = active.some((s) => s.column === '*') || input.tables.some((t) => STATISTICS.has(t.toLowerCase()));
  if (!all) taint.settle(input.statements);
  return { all, specified, taint };
}

/** The column a target reads as it is (`email`, `c.email`), if that is all it is. */
function plainColumn(expression: unknown): string | undefined {
  if (!isFields(expression) || !isFields(expression.ColumnRef)) return undefined;
  return stringValue(list(expression.ColumnRef.fields).at(-1));
}

function parseSpec(spec: string): Spec {
  const parts = spec.split('.');
  return {
    column: parts.at(-1)!,
    table: parts.at(-2) ?? '*',
    schema: parts.at(-3) ?? '*',
    suffix: parts.length === 1,
  };
}

function tableMatches(spec: Spec, table: string): boolean {
  const [schema = '', name = ''] = table.split('.');
  const eq = (pattern: string, value: string) => pattern === '*' || pattern.toLowerCase() === value.toLowerCase();
  return eq(spec.schema, schema) && eq(spec.table, name);
}

function columnMatches(spec: Spec, column: string): boolean {
  if (spec.column === '*') return true;
  const [want, have] = [normalize(spec.column), normalize(column)];
  return want.length > 0 && (have === want || (spec.suffix && have.endsWith(want)));
}

/** Rounds of renaming followed before giving up and masking everything. */
const MAX_ROUNDS = 32;

/** Tainted names, grown to a fixed point over every target list of the request. */
class Taint {
  private readonly names = new Set<string>();
  private readonly known = new Map<string, boolean>();
  private everything = false;

  constructor(
    private readonly base: (name: string) => boolean,
    /** Some masked column is of a table the request reads. */
    private readonly active: boolean,
    /** Table names and aliases: a bare one in an expression is a whole-row reference. */
    private readonly relations: ReadonlySet<string>,
  ) {}

  /** Tainted as the name of a derived output (an alias, a subquery or CTE column), not only as a source column. */
  renamed(name: string): boolean {
    return this.everything || this.names.has(name.toLowerCase());
  }

  has(name: string): boolean {
    if (this.everything || this.names.has(name.toLowerCase())) return true;
    let masked = this.known.get(name);
    if (masked === undefined) this.known.set(name, (masked = this.base(name)));
    return masked;
  }

  /** Anything masked could be in play: some name is tainted, or a masked column's table is read. */
  anything(): boolean {
    return this.everything || this.names.size > 0 || this.active;
  }

  settle(statements: readonly Node[]): void {
    const outputs = statements.flatMap((s) => namedOutputs(s, this.relations));
    for (let changed = true, round = 0; changed; round++) {
      if (round > MAX_ROUNDS) {
        // Renamed through more layers than anyone writes: every name counts as tainted.
        this.everything = true;
        return;
      }
      changed = false;
      for (const { names, expressions } of outputs) {
        if (names.every((n) => this.names.has(n.toLowerCase()))) continue;
        if (expressions.some((e) => this.expression(e))) {
          // Outputs whose names the tree does not give (a set-returning function's columns, a
          // star in a set operation) and that carry a masked value: no name can be trusted.
          if (names.includes(ANY_NAME)) {
            this.everything = true;
            return;
          }
          for (const n of names) this.names.add(n.toLowerCase());
          changed = true;
        }
      }
    }
  }

  /**
   * Whether an expression is computed from a masked or tainted column, or from what cannot be
   * followed: a whole row (a star, a bare table or alias name) or an opaque function, whose
   * columns the tree does not name, so any may be masked by its name. `named`: stars left to
   * masking by name.
   */
  expression(root: unknown, named: ReadonlySet<unknown> = NOTHING): boolean {
    const stack = [root];
    while (stack.length > 0) {
      const value = stack.pop();
      if (Array.isArray(value)) {
        stack.push(...value);
        continue;
      }
      if (!isFields(value) || named.has(value)) continue;
      if (isFields(value.ColumnRef)) {
        const fields = list(value.ColumnRef.fields);
        const last = fields.at(-1);
        if (isFields(last) && 'A_Star' in last) return true;
        const name = stringValue(last);
        if (name === undefined) continue;
        if (this.has(name) || (fields.length === 1 && this.relations.has(name.toLowerCase()))) return true;
        continue;
      }
      if (isFields(value.FuncCall)) {
        const fn = list(value.FuncCall.funcname).map(stringValue).filter((s): s is string => s !== undefined);
        if (functionKind(fn) !== 'pure') return true;
      }
      stack.push(...Object.values(value));
    }
    return false;
  }
}

const NOTHING: ReadonlySet<unknown> = new Set();

interface NamedOutput {
  /** Names the output is known by outside its query ({@link ANY_NAME} when they are not known). */
  names: string[];
  /** What it is computed from. */
  expressions: unknown[];
}

/** Stands for names the tree does not give: tainted, it taints every name. */
const ANY_NAME = '\0any';

/**
 * Output columns of set-returning built-ins called in FROM without a column list, besides the
 * one named after the alias or the function that a function returning a scalar has.
 */
const FUNCTION_COLUMNS: Record<string, readonly string[]> = {
  unnest: [],
  generate_series: [],
  generate_subscripts: [],
  regexp_matches: [],
  regexp_split_to_table: [],
  string_to_table: [],
  json_object_keys: [],
  jsonb_object_keys: [],
  jsonb_path_query: [],
  json_array_elements: ['value'],
  json_array_elements_text: ['value'],
  jsonb_array_elements: ['value'],
  jsonb_array_elements_text: ['value'],
  json_each: ['key', 'value'],
  json_each_text: ['key', 'value'],
  jsonb_each: ['key', 'value'],
  jsonb_each_text: ['key', 'value'],
};

/**
 * Every named output in a statement: each target of each SELECT and RETURNING list under its
 * output name; each column of a set operation under its first branch's name, with the targets at
 * its position in every branch; VALUES' column1…N; each entry of a subquery's, CTE's or table's
 * column alias list with the targets at its position in every branch (all of them when a `*`
 * makes positions unknown, the whole row for a table); the columns of functions and table
 * functions in FROM, computed from their arguments.
 */
function namedOutputs(root: unknown, relations: ReadonlySet<string>): NamedOutput[] {
  const outputs: NamedOutput[] = [];
  const top = isFields(root) ? root.SelectStmt : undefined;
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...value);
      continue;
    }
    if (!isFields(value)) continue;
    for (const targets of [value.targetList, returning(value)]) {
      for (const target of list(targets)) {
        const t = isFields(target) && isFields(target.ResTarget) ? target.ResTarget : undefined;
        // A star's columns keep their source names: they are judged by name.
        if (!t || isStar(t.val)) continue;
        const name = str(t.name) ?? columnName(t.val);
        // `email` read as `email` renames nothing: its name is tainted exactly when its source's is.
        // A whole row read as `c` does: its columns are under that name now.
        if (plainColumn(t.val)?.toLowerCase() === name.toLowerCase() && !relations.has(name.toLowerCase())) continue;
        outputs.push({ names: [name], expressions: [t.val] });
      }
    }
    // The statement's own result is placed by position (derivedMasks), not named.
    if (isSetOperation(value) && value !== top) outputs.push(...setOperationOutputs(value));
    if (Array.isArray(value.valuesLists)) {
      const rows = resultTargets({ SelectStmt: value }) ?? [];
      const width = Math.max(0, ...rows.map((r) => r.length));
      for (let i = 0; i < width; i++) outputs.push({ names: [`column${i + 1}`], expressions: rows.map((r) => r[i]) });
    }
    if (isFields(value.RangeFunction)) outputs.push(functionOutputs(value.RangeFunction));
    // XMLTABLE and JSON_TABLE: columns named in their own clauses, computed from the document.
    if (isFields(value.RangeTableFunc) || isFields(value.JsonTable)) outputs.push({ names: [ANY_NAME], expressions: [value] });
    // `customers AS c(a, b, e)` renames the table's columns by position, which the tree does not know.
    if (isFields(value.RangeVar) && isFields(value.RangeVar.alias) && list(value.RangeVar.alias.colnames).length > 0) {
      const names = list(value.RangeVar.alias.colnames).map(stringValue).filter((n): n is string => n !== undefined);
      outputs.push({ names, expressions: [wholeRow(str(value.RangeVar.relname) ?? '')] });
    }
    const query = isFields(value.RangeSubselect) ? value.RangeSubselect.subquery : isFields(value.CommonTableExpr) ? value.CommonTableExpr.ctequery : undefined;
    const aliases = isFields(value.RangeSubselect)
      ? isFields(value.RangeSubselect.alias) ? list(value.RangeSubselect.alias.colnames) : []
      : isFields(value.CommonTableExpr) ? list(value.CommonTableExpr.aliascolnames) : [];
    if (query !== undefined && aliases.length > 0) {
      const positions = resultTargets(query);
      aliases.forEach((alias, i) => {
        const name = stringValue(alias);
        if (name === undefined) return;
        const hasStar = positions === undefined || positions.some((p) => p.some(isStar));
        outputs.push({ names: [name], expressions: hasStar ? [query] : positions.flatMap((p) => (p[i] === undefined ? [] : [p[i]])) });
      });
    }
    stack.push(...Object.values(value));
  }
  return outputs;
}

/** A set operation's columns: named by its first branch, computed at their position in every branch. */
function setOperationOutputs(body: Fields): NamedOutput[] {
  const branches = resultTargets({ SelectStmt: body });
  let first: unknown = body;
  while (isSetOperation(first)) first = first.larg;
  const targets = isFields(first) ? list(first.targetList) : [];
  if (branches === undefined || branches.some((b) => b.some(isStar)) || targets.length === 0) {
    return [{ names: [ANY_NAME], expressions: [body] }];
  }
  return targets.map((target, i) => {
    const t = isFields(target) && isFields(target.ResTarget) ? target.ResTarget : {};
    return { names: [str(t.name) ?? columnName(t.val)], expressions: branches.map((b) => b[i]) };
  });
}

/**
 * A function in FROM (`unnest(…) x`, `jsonb_each_text(…)`, `ROWS FROM (…)`): its columns are
 * named by the alias' column list or the column definitions when given, else by the alias or the
 * function (and the known columns of set-returning built-ins); any other function's names are
 * not known. All are computed from the arguments.
 */
function functionOutputs(range: Fields): NamedOutput {
  const names: string[] = [];
  const add = (name: string | undefined) => name !== undefined && names.push(name);
  const columnList = (defs: unknown) => list(defs).forEach((d) => add(isFields(d) && isFields(d.ColumnDef) ? str(d.ColumnDef.colname) : undefined));
  const alias = isFields(range.alias) ? range.alias : {};
  list(alias.colnames).forEach((n) => add(stringValue(n)));
  columnList(range.coldeflist);
  const calls = list(range.functions).map((f) => (isFields(f) && isFields(f.List) ? list(f.List.items) : []));
  calls.forEach(([, defs]) => columnList(defs));
  const named = names.length > 0;
  // The alias names the column of a function returning a scalar, and the whole row of any other.
  add(str(alias.aliasname));
  if (!named) {
    for (const [call] of calls) {
      const name = isFields(call) && isFields(call.FuncCall) ? stringValue(list(call.FuncCall.funcname).at(-1)) : undefined;
      const known = name === undefined ? undefined : FUNCTION_COLUMNS[name.toLowerCase()];
      add(name);
      if (known) known.forEach(add);
      else add(ANY_NAME);
    }
  }
  if (range.ordinality === true) add('ordinality');
  return { names, expressions: [range.functions] };
}

/** Statements that write rows, at any depth (a data-modifying CTE, EXPLAIN ANALYZE of a write). */
const WRITES = ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'];

function writesRows(root: unknown): boolean {
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (isFields(value)) {
      if (WRITES.some((w) => w in value)) return true;
      stack.push(...Object.values(value));
    }
  }
  return false;
}

/** A SELECT body that is a UNION, INTERSECT or EXCEPT (other nodes have an `op` too). */
const isSetOperation = (node: unknown): node is Fields =>
  isFields(node) && ['SETOP_UNION', 'SETOP_INTERSECT', 'SETOP_EXCEPT'].includes(String(node.op)) && isFields(node.larg);

/** A bare relation name used as a value: its whole row. */
const wholeRow = (relation: string) => ({ ColumnRef: { fields: [{ String: { sval: relation } }] } });

/**
 * The targets of the rows a statement returns, per branch (set operations and VALUES have several
 * rows of expressions, matched by position); undefined when the tree does not say what the
 * columns are (FETCH, EXECUTE, CALL, SHOW…).
 */
function resultTargets(node: unknown): unknown[][] | undefined {
  if (!isFields(node)) return undefined;
  const [type] = Object.keys(node);
  const body = node[type!];
  if (!isFields(body)) return undefined;
  switch (type) {
    case 'SelectStmt': {
      if (body.op !== undefined && body.op !== 'SETOP_NONE') {
        const left = resultTargets({ SelectStmt: body.larg });
        const right = resultTargets({ SelectStmt: body.rarg });
        return left && right ? [...left, ...right] : undefined;
      }
      if (Array.isArray(body.valuesLists)) {
        return body.valuesLists.map((row) => (isFields(row) && isFields(row.List) ? list(row.List.items) : []));
      }
      return [targetValues(body.targetList)];
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      return [targetValues(returning(body))];
    case 'ExplainStmt':
      // A plan, not rows; EXPLAIN ANALYZE runs the statement but returns no values of it.
      return [[{ A_Const: { sval: { sval: 'QUERY PLAN' } } }]];
    default:
      return undefined;
  }
}

/** A RETURNING list, as the parser has it (`returningClause.exprs`; `returningList` before PostgreSQL 18). */
function returning(body: Fields): unknown {
  return isFields(body.returningClause) ? body.returningClause.exprs : body.returningList;
}

function targetValues(targets: unknown): unknown[] {
  return list(targets).map((t) => (isFields(t) && isFields(t.ResTarget) ? t.ResTarget.val : t));
}

const isStar = (expression: unknown) =>
  isFields(expression) && isFields(expression.ColumnRef) && list(expression.ColumnRef.fields).some((f) => isFields(f) && 'A_Star' in f);

/**
 * Lays the per-target masks of every branch onto the result's columns. A `*` expands to columns
 * the tree does not count: targets before the first star and after the last are placed exactly,
 * the columns in between are masked if any target there is (a star of the first branch itself is
 * judged by name).
 */
function placeTargets(branches: boolean[][], outputs: unknown[][], width: number): boolean[] {
  const masks = new Array<boolean>(width).fill(false);
  branches.forEach((branch, b) => {
    const targets = outputs[b]!;
    const stars = targets.flatMap((t, i) => (isStar(t) ? [i] : []));
    if (stars.length === 0) {
      branch.forEach((m, i) => (masks[i] ||= m && i < width));
      return;
    }
    const [first, lastStar] = [stars[0]!, stars.at(-1)!];
    const after = targets.length - lastStar - 1;
    for (let i = 0; i < first; i++) masks[i] ||= branch[i]!;
    for (let j = 0; j < after; j++) masks[width - after + j] ||= branch[lastStar + 1 + j]!;
    // A later branch's star fills columns named by the first branch: it cannot be judged by name.
    const middle = branch.slice(first, lastStar + 1).some((m, k) => m && (b > 0 || !isStar(targets[first + k])));
    if (middle) for (let i = first; i < width - after; i++) masks[i] = true;
  });
  return masks;
}

/** The name PostgreSQL gives an unnamed target (FigureColname, for the shapes that matter). */
function columnName(node: unknown): string {
  if (!isFields(node)) return '?column?';
  if (isFields(node.ColumnRef)) return stringValue(list(node.ColumnRef.fields).at(-1)) ?? '?column?';
  if (isFields(node.FuncCall)) return stringValue(list(node.FuncCall.funcname).at(-1)) ?? '?column?';
  if (isFields(node.TypeCast)) {
    const inner = columnName(node.TypeCast.arg);
    if (inner !== '?column?') return inner;
    return isFields(node.TypeCast.typeName) ? (stringValue(list(node.TypeCast.typeName.names).at(-1)) ?? inner) : inner;
  }
  if (isFields(node.CoalesceExpr)) return 'coalesce';
  if (isFields(node.CaseExpr)) return 'case';
  if (isFields(node.A_ArrayExpr)) return 'array';
  if (isFields(node.MinMaxExpr)) return node.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
  if (isFields(node.SubLink)) {
    const inner = node.SubLink.subselect;
    const targets = resultTargets(inner);
    const first = isFields(inner) && isFields(inner.SelectStmt) ? list(inner.SelectStmt.targetList)[0] : undefined;
    if (node.SubLink.subLinkType === 'EXISTS_SUBLINK') return 'exists';
    if (node.SubLink.subLinkType === 'ARRAY_SUBLINK') return 'array';
    if (targets && isFields(first) && isFields(first.ResTarget)) return str(first.ResTarget.name) ?? columnName(first.ResTarget.val);
  }
  return '?column?';
}

/** Names of tables, subqueries, CTEs and their aliases: a bare one used as a value is a whole row. */
function relationNames(statements: readonly Node[]): ReadonlySet<string> {
  const names = new Set<string>();
  const add = (name: unknown) => typeof name === 'string' && names.add(name.toLowerCase());
  const stack: unknown[] = [...statements];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (isFields(value)) {
      // A function's alias is one of its outputs' names (functionOutputs), tainted with them.
      for (const relation of [value.RangeVar, value.RangeSubselect]) {
        if (!isFields(relation)) continue;
        add(relation.relname);
        if (isFields(relation.alias)) add(relation.alias.aliasname);
      }
      if (isFields(value.CommonTableExpr)) add(value.CommonTableExpr.ctename);
      stack.push(...Object.values(value));
    }
  }
  return names;
}

function stringValue(node: unknown): string | undefined {
  return isFields(node) && isFields(node.String) ? str(node.String.sval) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
