// Whether a WHERE clause of node-sql-parser's MySQL AST keeps every row: no column in it at all
// (`WHERE 1`, `WHERE 'a' = 'a'`), or a condition true whatever the row holds (`WHERE id = id`,
// `WHERE a > 0 OR 1 = 1`, `WHERE NOT FALSE`). Conservative: "always true" only when it is sure.
// Pure.

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

/** Whether any column is named anywhere in the expression. */
export function refersToColumn(expr: unknown): boolean {
  if (Array.isArray(expr)) return expr.some(refersToColumn);
  if (!isNode(expr)) return false;
  if (expr.type === 'column_ref') return true;
  return Object.values(expr).some(refersToColumn);
}

/** The value of a constant expression as MySQL would take it in a WHERE, or undefined when unknown. */
function constant(expr: unknown): number | string | null | undefined {
  if (!isNode(expr)) return undefined;
  switch (expr.type) {
    case 'number':
      return Number(expr.value);
    case 'bool':
      return expr.value ? 1 : 0;
    case 'null':
      return null;
    case 'single_quote_string':
    case 'double_quote_string':
    case 'string':
      return String(expr.value);
    default:
      return undefined;
  }
}

/** MySQL's truth of a constant: numbers by value, strings by their leading number. */
function truthy(value: number | string | null): boolean | null {
  if (value === null) return null;
  if (typeof value === 'number') return value !== 0;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) && n !== 0;
}

const sameOperand = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** True when the expression holds for every row (NULL columns aside, which a typo would not mean either). */
export function alwaysTrue(expr: unknown): boolean {
  if (!isNode(expr)) return false;
  if (expr.parentheses === true && expr.type !== 'binary_expr' && expr.type !== 'unary_expr') return alwaysTrue({ ...expr, parentheses: false });
  if (!refersToColumn(expr)) {
    const value = evaluate(expr);
    // A condition on no column that is not known false keeps (or drops) every row alike: treated as keeping them.
    return value !== false;
  }
  if (expr.type === 'binary_expr') {
    const op = String(expr.operator).toUpperCase();
    if (op === 'OR' || op === '||') return alwaysTrue(expr.left) || alwaysTrue(expr.right);
    if (op === 'AND' || op === '&&') return alwaysTrue(expr.left) && alwaysTrue(expr.right);
    if (['=', '<=>', '>=', '<=', 'LIKE'].includes(op) && sameOperand(expr.left, expr.right)) return true;
    if (op === 'LIKE' && constant(expr.right) === '%') return true;
    if (op === 'IS NOT' && constant(expr.right) === null && !refersToColumn(expr.left)) return true;
  }
  if (expr.type === 'unary_expr' && String(expr.operator).toUpperCase() === 'NOT') return alwaysFalse(expr.expr);
  return false;
}

function alwaysFalse(expr: unknown): boolean {
  if (!isNode(expr)) return false;
  if (!refersToColumn(expr)) return evaluate(expr) === false;
  if (expr.type === 'binary_expr') {
    const op = String(expr.operator).toUpperCase();
    if (op === 'AND' || op === '&&') return alwaysFalse(expr.left) || alwaysFalse(expr.right);
    if (op === 'OR' || op === '||') return alwaysFalse(expr.left) && alwaysFalse(expr.right);
    if (['<>', '!=', '<', '>'].includes(op) && sameOperand(expr.left, expr.right)) return true;
  }
  if (expr.type === 'unary_expr' && String(expr.operator).toUpperCase() === 'NOT') return alwaysTrue(expr.expr);
  return false;
}

/** A column-free expression's truth: true, false, or undefined when it cannot tell (functions, NULL). */
function evaluate(expr: unknown): boolean | undefined {
  if (!isNode(expr)) return undefined;
  const value = constant(expr);
  if (value !== undefined) return truthy(value) ?? false;
  if (expr.type === 'unary_expr' && String(expr.operator).toUpperCase() === 'NOT') {
    const inner = evaluate(expr.expr);
    return inner === undefined ? undefined : !inner;
  }
  if (expr.type !== 'binary_expr') return undefined;
  const op = String(expr.operator).toUpperCase();
  if (op === 'OR' || op === '||' || op === 'AND' || op === '&&') {
    const [l, r] = [evaluate(expr.left), evaluate(expr.right)];
    if (op === 'OR' || op === '||') return l === true || r === true ? true : l === false && r === false ? false : undefined;
    return l === false || r === false ? false : l === true && r === true ? true : undefined;
  }
  const [a, b] = [constant(expr.left), constant(expr.right)];
  if (a === undefined || b === undefined || a === null || b === null) return undefined;
  const [x, y] = typeof a === 'number' || typeof b === 'number' ? [Number.parseFloat(String(a)) || 0, Number.parseFloat(String(b)) || 0] : [a, b];
  switch (op) {
    case '=':
    case '<=>':
      return x === y;
    case '<>':
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    default:
      return undefined;
  }
}
