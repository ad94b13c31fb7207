// Whether an UPDATE's, DELETE's or MERGE's condition filters nothing out of its target table: a
// small evaluator over the parse tree that proves a condition true for every row, or independent
// of the row (all rows or none), for a sound set of shapes, and says "depends on the row" for
// anything else. It folds constants (booleans, numbers, strings, NULL, casts, comparisons,
// arithmetic, AND/OR/NOT in SQL's three-valued logic, IS [NOT] NULL/TRUE/FALSE/DISTINCT FROM,
// BETWEEN, IN, COALESCE), and knows the tautologies an agent writes to get past "has a WHERE":
// - the same expression on both sides of =, >=, <=, IS NOT DISTINCT FROM, BETWEEN, IN (`id = id`);
//   true for every row where it is not NULL, which filters nothing worth the name;
// - a condition OR its complement (`x IS NULL OR x IS NOT NULL`, `p OR NOT p`, `a = b OR a <> b`,
//   `a < b OR a >= b`);
// - a condition that never looks at the target's columns (`WHERE EXISTS (SELECT 1)`,
//   `WHERE $1`, `UPDATE t … FROM u WHERE u.id = 1`): the same for every row, so all or nothing;
//   and so is an OR with such a disjunct (`id = 1 OR $2`).
// A column reference counts as the target's when it is unqualified or qualified with the target's
// name or alias: an unqualified name in a subquery may be the target's (correlated), so such a
// condition is taken to depend on the row — the evaluator only ever says "filters nothing" when
// that is proved.
type Fields = Record<string, unknown>;

export interface TargetTable {
  relname: string;
  alias?: string;
}

type Scalar = { type: 'bool'; value: boolean } | { type: 'num'; value: number } | { type: 'str'; value: string } | { type: 'null' };

/** A constant; or `same`: one unknown value for every row; or `row`: depends on the row. */
type Value = Scalar | { type: 'same' } | { type: 'row' };

const SAME: Value = { type: 'same' };
const ROW: Value = { type: 'row' };
const NULL: Value = { type: 'null' };
const bool = (value: boolean): Value => ({ type: 'bool', value });

/** Truth of a condition: true, false, NULL, the same for every row, or depends on the row. */
type Truth = 'T' | 'F' | 'N' | 'same' | 'row';

/** True when `where` (absent: no WHERE) is proved to let every row of the target through, or none. */
export function filtersNothing(where: unknown, target: TargetTable | undefined): boolean {
  if (where === undefined || where === null) return true;
  try {
    const truth = truthOf(evaluate(where, target ?? { relname: '' }, 0));
    return truth === 'T' || truth === 'same';
  } catch (error) {
    // Nested deeper than any condition a person writes: not proved to filter, so flagged (fail closed).
    if (error instanceof TooDeep || error instanceof RangeError) return true;
    throw error;
  }
}

/** Nesting the evaluator follows; beyond it the condition counts as filtering nothing. */
const MAX_DEPTH = 200;

class TooDeep extends Error {}

function evaluate(node: unknown, target: TargetTable, depth: number): Value {
  if (depth > MAX_DEPTH) throw new TooDeep();
  if (!isFields(node)) return ROW;
  const [type] = Object.keys(node);
  const body = node[type!];
  if (!isFields(body)) return ROW;
  switch (type) {
    case 'A_Const':
      return constant(body);
    case 'TypeCast':
      return cast(evaluate(body.arg, target, depth + 1), typeNameOf(body.typeName));
    case 'ParamRef':
      return SAME;
    case 'BoolExpr':
      return boolExpr(str(body.boolop), list(body.args), target, depth + 1);
    case 'NullTest': {
      const arg = evaluate(body.arg, target, depth + 1);
      if (!isScalar(arg)) return arg;
      return bool((arg.type === 'null') === (body.nulltesttype === 'IS_NULL'));
    }
    case 'BooleanTest':
      return booleanTest(truthOf(evaluate(body.arg, target, depth + 1)), str(body.booltesttype) ?? '');
    case 'A_Expr':
      return aExpr(body, target, depth + 1);
    case 'CoalesceExpr': {
      const args = list(body.args).map((a) => evaluate(a, target, depth + 1));
      for (const [i, arg] of args.entries()) {
        if (arg.type === 'null') continue;
        if (isScalar(arg)) return arg;
        return args.slice(i).some((a) => a.type === 'row') ? ROW : SAME;
      }
      return NULL;
    }
    default:
      // Functions, CASE, subqueries, columns…: the same for every row unless the target's columns appear.
      return mentionsTarget(node, target) ? ROW : SAME;
  }
}

function boolExpr(op: string | undefined, args: unknown[], target: TargetTable, depth: number): Value {
  if (op === 'NOT_EXPR') {
    const truth = truthOf(evaluate(args[0], target, depth + 1));
    return fromTruth(truth === 'T' ? 'F' : truth === 'F' ? 'T' : truth);
  }
  const truths = args.map((a) => truthOf(evaluate(a, target, depth + 1)));
  if (op === 'AND_EXPR') {
    if (truths.includes('F')) return bool(false);
    if (truths.includes('row')) return ROW;
    if (truths.includes('same')) return SAME;
    return fromTruth(truths.includes('N') ? 'N' : 'T');
  }
  if (op === 'OR_EXPR') {
    if (truths.includes('T')) return bool(true);
    // `… OR $2`, `… OR EXISTS (…)`: whether every row goes is decided by something other than the row.
    if (truths.includes('same')) return SAME;
    if (truths.includes('row')) return hasComplements(flattenOr(args)) ? bool(true) : ROW;
    return fromTruth(truths.includes('N') ? 'N' : 'F');
  }
  return ROW;
}

function booleanTest(truth: Truth, test: string): Value {
  if (truth === 'row' || truth === 'same') return fromTruth(truth);
  const is = { IS_TRUE: truth === 'T', IS_NOT_TRUE: truth !== 'T', IS_FALSE: truth === 'F', IS_NOT_FALSE: truth !== 'F', IS_UNKNOWN: truth === 'N', IS_NOT_UNKNOWN: truth !== 'N' }[test];
  return is === undefined ? ROW : bool(is);
}

const COMPARE: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};
/** Comparisons true when both sides are the same (non-NULL) expression. */
const REFLEXIVE = new Set(['=', '<=', '>=']);

function aExpr(body: Fields, target: TargetTable, depth: number): Value {
  const kind = str(body.kind);
  const op = list(body.name).map(stringValue).at(-1) ?? '';
  const same = () => body.lexpr !== undefined && sameExpression(body.lexpr, body.rexpr);
  switch (kind) {
    case 'AEXPR_OP': {
      if (COMPARE[op] && same()) return bool(REFLEXIVE.has(op));
      return combine([evaluate(body.lexpr, target, depth + 1), evaluate(body.rexpr, target, depth + 1)], (l, r) => operate(op, l, r));
    }
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT': {
      const distinct = kind === 'AEXPR_DISTINCT';
      if (same()) return bool(!distinct);
      const [l, r] = [evaluate(body.lexpr, target, depth + 1), evaluate(body.rexpr, target, depth + 1)];
      if (isScalar(l) && isScalar(r)) {
        const equal = l.type === 'null' || r.type === 'null' ? l.type === r.type : compare(l, r) === 0;
        return equal === undefined ? ROW : bool(equal !== distinct);
      }
      return l.type === 'row' || r.type === 'row' ? ROW : SAME;
    }
    case 'AEXPR_IN': {
      const items = list(isFields(body.rexpr) && isFields(body.rexpr.List) ? body.rexpr.List.items : body.rexpr);
      const equals = op === '=';
      const left = canonical(body.lexpr);
      if (items.some((item) => canonical(item) === left)) return bool(equals);
      const values = [body.lexpr, ...items].map((v) => evaluate(v, target, depth + 1));
      if (values.some((v) => v.type === 'row')) return ROW;
      if (!values.every(isScalar)) return SAME;
      // Folded as a chain of = joined by OR (IN) or <> joined by AND (NOT IN).
      const [x, ...candidates] = values as Scalar[];
      const parts = candidates.map((c) => operate(equals ? '=' : '<>', x!, c));
      return fromTruth(truthOf(fold(equals ? 'OR' : 'AND', parts)));
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const [low, high] = list(isFields(body.rexpr) && isFields(body.rexpr.List) ? body.rexpr.List.items : undefined);
      const negated = kind.includes('NOT');
      if (sameExpression(body.lexpr, low) && sameExpression(body.lexpr, high)) return bool(!negated);
      const values = [body.lexpr, low, high].map((v) => evaluate(v, target, depth + 1));
      if (values.some((v) => v.type === 'row')) return ROW;
      if (!values.every(isScalar)) return SAME;
      const [x, a, b] = values as Scalar[];
      const symmetric = kind.endsWith('_SYM');
      const within = (lo: Scalar, hi: Scalar) => fold('AND', [operate('>=', x!, lo), operate('<=', x!, hi)]);
      const result = symmetric ? fold('OR', [within(a!, b!), within(b!, a!)]) : within(a!, b!);
      const truth = truthOf(result);
      return fromTruth(negated ? (truth === 'T' ? 'F' : truth === 'F' ? 'T' : truth) : truth);
    }
    default:
      return mentionsTarget(body, target) ? ROW : SAME;
  }
}

/** A binary operator over constants; NULL in, NULL out. */
function operate(op: string, l: Scalar, r: Scalar): Value {
  if (l.type === 'null' || r.type === 'null') return NULL;
  if (COMPARE[op]) {
    const c = compare(l, r);
    return c === undefined ? SAME : bool(COMPARE[op]!(c));
  }
  if (op === '||' && l.type !== 'bool' && r.type !== 'bool') return { type: 'str', value: `${l.value}${r.value}` };
  if (l.type === 'num' && r.type === 'num') {
    if (op === '+') return { type: 'num', value: l.value + r.value };
    if (op === '-') return { type: 'num', value: l.value - r.value };
    if (op === '*') return { type: 'num', value: l.value * r.value };
  }
  return SAME;
}

function compare(l: Scalar, r: Scalar): number | undefined {
  // PostgreSQL coerces an untyped literal to the other side's type: '1' = 1, 't' = true.
  const left = l.type === 'str' && r.type !== 'str' ? coerce(l, r.type) : l;
  const right = r.type === 'str' && l.type !== 'str' ? coerce(r, l.type) : r;
  if (!left || !right || left.type !== right.type || left.type === 'null' || right.type === 'null') return undefined;
  const [a, b] = [left.value, (right as typeof left).value];
  return a === b ? 0 : a < b ? -1 : 1;
}

function coerce(value: Scalar, type: Scalar['type']): Scalar | undefined {
  if (value.type === type) return value;
  if (value.type !== 'str') return undefined;
  if (type === 'num') return /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value.value) ? { type: 'num', value: Number(value.value) } : undefined;
  if (type === 'bool') {
    const b = boolLiteral(value.value);
    return b === undefined ? undefined : { type: 'bool', value: b };
  }
  return undefined;
}

function constant(body: Fields): Value {
  if (body.isnull === true) return NULL;
  if (isFields(body.ival)) return { type: 'num', value: typeof body.ival.ival === 'number' ? body.ival.ival : 0 };
  if (isFields(body.fval)) return { type: 'num', value: Number(body.fval.fval) };
  if (isFields(body.boolval)) return bool(body.boolval.boolval === true);
  if (isFields(body.sval)) return { type: 'str', value: str(body.sval.sval) ?? '' };
  return SAME;
}

const NUMERIC = new Set(['int2', 'int4', 'int8', 'integer', 'smallint', 'bigint', 'numeric', 'decimal', 'float4', 'float8', 'real']);
const TEXT = new Set(['text', 'varchar', 'bpchar', 'char', 'name']);

function cast(value: Value, type: string): Value {
  if (!isScalar(value) || value.type === 'null') return value;
  if (type === 'bool' || type === 'boolean') {
    if (value.type === 'num') return bool(value.value !== 0);
    const b = coerce(value, 'bool');
    return b ?? SAME;
  }
  if (NUMERIC.has(type)) return coerce(value, 'num') ?? (value.type === 'bool' ? { type: 'num', value: value.value ? 1 : 0 } : SAME);
  if (TEXT.has(type)) return { type: 'str', value: String(value.value) };
  return SAME;
}

function boolLiteral(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t.length === 0) return undefined;
  if ('true'.startsWith(t) || 'yes'.startsWith(t) || t === 'on' || t === '1') return true;
  if ('false'.startsWith(t) || 'no'.startsWith(t) || t === 'off' || t === '0') return false;
  return undefined;
}

function truthOf(value: Value): Truth {
  switch (value.type) {
    case 'bool':
      return value.value ? 'T' : 'F';
    case 'null':
      return 'N';
    case 'str': {
      const b = boolLiteral(value.value);
      return b === undefined ? 'same' : b ? 'T' : 'F';
    }
    case 'num':
      return 'same';
    default:
      return value.type;
  }
}

function fromTruth(truth: Truth): Value {
  if (truth === 'T' || truth === 'F') return bool(truth === 'T');
  if (truth === 'N') return NULL;
  return truth === 'same' ? SAME : ROW;
}

function fold(op: 'AND' | 'OR', parts: Value[]): Value {
  const truths = parts.map(truthOf);
  const [win, lose] = op === 'AND' ? (['F', 'T'] as const) : (['T', 'F'] as const);
  if (truths.includes(win)) return fromTruth(win);
  if (truths.includes('row')) return ROW;
  if (truths.includes('same')) return SAME;
  return fromTruth(truths.includes('N') ? 'N' : lose);
}

function combine(values: Value[], apply: (...scalars: Scalar[]) => Value): Value {
  if (values.some((v) => v.type === 'row')) return ROW;
  if (!values.every(isScalar)) return SAME;
  return apply(...values);
}

/** The disjuncts of nested ORs. */
function flattenOr(args: unknown[]): unknown[] {
  return args.flatMap((a) => (isFields(a) && isFields(a.BoolExpr) && a.BoolExpr.boolop === 'OR_EXPR' ? flattenOr(list(a.BoolExpr.args)) : [a]));
}

function hasComplements(terms: unknown[]): boolean {
  const written = new Set(terms.map(canonical));
  return terms.some((term) => complementsOf(term).some((c) => written.has(canonical(c))));
}

const NEGATED: Record<string, string> = { '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };
const MIRRORED: Record<string, string> = { '=': '=', '<>': '<>', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
const OPPOSITE_TESTS: Record<string, string> = {
  IS_NULL: 'IS_NOT_NULL', IS_NOT_NULL: 'IS_NULL',
  IS_TRUE: 'IS_NOT_TRUE', IS_NOT_TRUE: 'IS_TRUE', IS_FALSE: 'IS_NOT_FALSE', IS_NOT_FALSE: 'IS_FALSE', IS_UNKNOWN: 'IS_NOT_UNKNOWN', IS_NOT_UNKNOWN: 'IS_UNKNOWN',
};

/**
 * Conditions true wherever `term` is false (NULLs aside), as the parser would write them: NOT term,
 * the opposite IS test, the negated comparison either way round (`a < b`: `a >= b`, `b <= a`).
 */
function complementsOf(term: unknown): unknown[] {
  const forms: unknown[] = [{ BoolExpr: { boolop: 'NOT_EXPR', args: [term] } }];
  if (!isFields(term)) return forms;
  if (isFields(term.BoolExpr) && term.BoolExpr.boolop === 'NOT_EXPR') forms.push(list(term.BoolExpr.args)[0]);
  if (isFields(term.NullTest)) forms.push({ NullTest: { ...term.NullTest, nulltesttype: OPPOSITE_TESTS[str(term.NullTest.nulltesttype) ?? ''] } });
  if (isFields(term.BooleanTest)) forms.push({ BooleanTest: { ...term.BooleanTest, booltesttype: OPPOSITE_TESTS[str(term.BooleanTest.booltesttype) ?? ''] } });
  const a = term.A_Expr;
  if (isFields(a) && a.kind === 'AEXPR_OP' && list(a.name).length === 1) {
    const negated = NEGATED[stringValue(list(a.name)[0]) ?? ''];
    if (negated) {
      forms.push({ A_Expr: { ...a, name: [{ String: { sval: negated } }] } });
      forms.push({ A_Expr: { ...a, name: [{ String: { sval: MIRRORED[negated] } }], lexpr: a.rexpr, rexpr: a.lexpr } });
    }
  }
  return forms;
}

/** The same expression, written at different places. */
function sameExpression(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && canonical(a) === canonical(b);
}

/** An expression as text, without where it was written; each subtree is written once (a node is compared many times). */
function canonical(node: unknown): string {
  if (node === null || typeof node !== 'object') return JSON.stringify(node) ?? '';
  const known = written.get(node);
  if (known !== undefined) return known;
  const text = Array.isArray(node)
    ? `[${node.map(canonical).join(',')}]`
    : `{${Object.entries(node)
        .filter(([key]) => !POSITION.test(key))
        .map(([key, value]) => `${JSON.stringify(key)}:${canonical(value)}`)
        .join(',')}}`;
  written.set(node, text);
  return text;
}

const written = new WeakMap<object, string>();
/** Fields that say where in the SQL a node was written. */
const POSITION = /location|_start$|_end$/;

/** Any reference to the target's columns (unqualified, or qualified with its name or alias), at any depth. */
function mentionsTarget(node: unknown, target: TargetTable): boolean {
  const names = new Set([target.alias ?? target.relname, target.relname]);
  const stack = [node];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (isFields(value)) {
      if ('CurrentOfExpr' in value) return true;
      if (isFields(value.ColumnRef)) {
        const fields = list(value.ColumnRef.fields);
        if (fields.length === 1) return true;
        const qualifier = stringValue(fields.at(-2));
        if (qualifier === undefined || names.has(qualifier)) return true;
        continue;
      }
      stack.push(...Object.values(value));
    }
  }
  return false;
}

function typeNameOf(typeName: unknown): string {
  return isFields(typeName) ? (list(typeName.names).map(stringValue).at(-1) ?? '').toLowerCase() : '';
}

function isScalar(value: Value): value is Scalar {
  return value.type !== 'same' && value.type !== 'row';
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
