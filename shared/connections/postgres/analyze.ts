// Walks the parse trees of a request's statements, every node at every depth, and says what they
// do: the statement types (actions), the tables they touch (resources) and the risk flags. Pure.
//
// The walk is iterative (a hostile, deeply nested statement cannot overflow the stack) and keeps
// track of which WITH names are in scope, so `FROM d` after `WITH d AS (…)` is not reported as a
// table while a table of the same name referenced outside that scope still is.
import type { Node } from 'libpg-query';
import { filtersNothing, type TargetTable } from './filters-nothing.js';
import { NOT_READ_ONLY, type SqlFlag } from './flags.js';
import { functionKind } from './sql-functions.js';

export interface StatementAnalysis {
  /** The statement's node type, e.g. `SelectStmt`. */
  type: string;
  actions: string[];
  resources: string[];
  flags: SqlFlag[];
  readOnly: boolean;
  /** BEGIN, COMMIT, ROLLBACK, PREPARE TRANSACTION…: would end or nest the gateway's transaction. */
  endsTransaction: boolean;
  /** COPY … FROM STDIN / TO STDOUT, which needs the copy sub-protocol. */
  copyStdio: boolean;
}

export interface Analysis {
  statements: StatementAnalysis[];
  actions: string[];
  resources: string[];
  flags: SqlFlag[];
  readOnly: boolean;
}

type Fields = Record<string, unknown>;

/** Statement types that only read (EXPLAIN counts as what it explains, which is walked too). */
const READS = new Set(['SelectStmt', 'ExplainStmt', 'VariableShowStmt']);

/** Flags a statement type carries by itself. A type not listed is counted as DDL: fail closed. */
const STATEMENT_FLAGS: Record<string, SqlFlag[]> = {
  SelectStmt: [],
  ExplainStmt: [],
  VariableShowStmt: [],
  InsertStmt: ['write'],
  UpdateStmt: ['write'],
  DeleteStmt: ['write'],
  MergeStmt: ['write'],
  TruncateStmt: ['write', 'no-where'],
  CopyStmt: ['copy'],
  TransactionStmt: ['transaction-control'],
  VariableSetStmt: ['set-config'],
  DiscardStmt: ['set-config'],
  ConstraintsSetStmt: ['set-config'],
  AlterSystemStmt: ['ddl', 'set-config'],
  AlterRoleSetStmt: ['ddl', 'set-config'],
  AlterDatabaseSetStmt: ['ddl', 'set-config'],
  LockStmt: ['lock'],
  DoStmt: ['opaque-code'],
  CallStmt: ['opaque-code'],
  LoadStmt: ['opaque-code'],
  CreateFunctionStmt: ['ddl', 'opaque-code'],
  AlterFunctionStmt: ['ddl', 'opaque-code'],
  CreateTrigStmt: ['ddl', 'opaque-code'],
  CreateEventTrigStmt: ['ddl', 'opaque-code'],
  RuleStmt: ['ddl', 'opaque-code'],
  CreatePLangStmt: ['ddl', 'opaque-code'],
  CreateTableAsStmt: ['ddl', 'write'],
  RefreshMatViewStmt: ['ddl', 'write'],
  // Prepared statements and cursors run statements of this same request, which are walked.
  PrepareStmt: [],
  ExecuteStmt: [],
  DeallocateStmt: [],
  DeclareCursorStmt: [],
  FetchStmt: [],
  ClosePortalStmt: [],
  ListenStmt: [],
  UnlistenStmt: [],
  NotifyStmt: [],
  // Only inside SQL-standard function bodies, whose CREATE FUNCTION is already flagged.
  ReturnStmt: [],
  PLAssignStmt: [],
};

const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const SAVEPOINTS = new Set(['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO']);
const ROLE_SETTINGS = new Set(['role', 'session_authorization']);
const DROPPED_RELATIONS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE', 'OBJECT_SEQUENCE']);
const NO_NAMES: ReadonlySet<string> = new Set();

export function analyze(statements: readonly Node[]): Analysis {
  const analyses = statements.map(analyzeStatement);
  const flags = new Set(analyses.flatMap((s) => s.flags));
  const readOnly = analyses.every((s) => s.readOnly);
  if (readOnly) flags.add('read-only');
  if (analyses.length > 1) flags.add('multi-statement');
  return {
    statements: analyses,
    actions: [...new Set(analyses.flatMap((s) => s.actions))],
    resources: [...new Set(analyses.flatMap((s) => s.resources))],
    flags: [...flags],
    readOnly,
  };
}

class Facts {
  readonly actions = new Set<string>();
  readonly resources = new Set<string>();
  readonly flags = new Set<SqlFlag>();
  endsTransaction = false;
  copyStdio = false;

  flag(...flags: SqlFlag[]): void {
    for (const f of flags) this.flags.add(f);
  }

  /**
   * A SELECT inside another statement (`INSERT … VALUES`, `INSERT … SELECT`, a subquery, a view's
   * query) reads for it, and its tables are resources: it is not an action of its own, so that an
   * allow rule on `InsertStmt` covers `INSERT … VALUES`. Any other statement found inside one
   * (`WITH d AS (DELETE …) SELECT`, `EXPLAIN ANALYZE DELETE`) is.
   */
  statement(type: string, nested: boolean): void {
    if (!nested || type !== 'SelectStmt') this.actions.add(type);
    this.flag(...(STATEMENT_FLAGS[type] ?? ['ddl']));
  }

  /**
   * Unqualified names are reported in `public` (the default search_path), temporary ones in
   * `pg_temp`. The server looks in pg_catalog before the search_path, and every catalog relation's
   * name starts with `pg_`: such a name is reported in pg_catalog too, since it is read from there
   * when it exists there (`pg_roles`, `pg_authid`) and from public only when it does not.
   */
  table(schema: string | undefined, name: string, temporary = false): void {
    if (schema === undefined && !temporary && name.toLowerCase().startsWith('pg_')) this.resources.add(`pg_catalog.${name}`);
    this.resources.add(`${schema ?? (temporary ? 'pg_temp' : 'public')}.${name}`);
  }
}

interface Frame {
  value: unknown;
  /** WITH names visible here. */
  scope: ReadonlySet<string>;
  /** The node type when `value` is the body of a `{ Type: body }` wrapper. */
  node?: string;
}

function analyzeStatement(root: Node): StatementAnalysis {
  const facts = new Facts();
  const top = Object.values(root)[0];
  const stack: Frame[] = [{ value: root, scope: NO_NAMES }];
  while (stack.length > 0) {
    const { value, scope, node } = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], scope });
      continue;
    }
    if (!isFields(value)) continue;
    if (node) visitNode(node, value, scope, facts, value !== top);
    // A RangeVar held directly by a field (`relation`, `into.rel`, `view`…) names a target table,
    // which a WITH name never shadows.
    else if (typeof value.relname === 'string') facts.table(str(value.schemaname), value.relname, value.relpersistence === 't');
    if (value.intoClause) facts.flag('ddl', 'write');
    if (Array.isArray(value.lockingClause) && value.lockingClause.length > 0) facts.flag('lock');

    const withs = isFields(value.withClause) ? withQueries(value.withClause, scope, facts) : { scope, queries: [] };
    const entries = Object.entries(value).filter(([key]) => key !== 'withClause');
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      stack.push(/^[A-Z]/.test(key) ? { value: child, scope: withs.scope, node: key } : { value: child, scope: withs.scope });
    }
    // Pushed last so they are walked first, in the order they are written.
    stack.push(...withs.queries.reverse());
  }
  const flags = [...facts.flags];
  const actions = [...facts.actions];
  return {
    type: Object.keys(root)[0] ?? 'unknown',
    actions,
    resources: [...facts.resources],
    flags,
    readOnly: actions.every((a) => READS.has(a)) && !flags.some((f) => NOT_READ_ONLY.has(f)),
    endsTransaction: facts.endsTransaction,
    copyStdio: facts.copyStdio,
  };
}

/**
 * A WITH clause's queries, each with the names it may see (earlier ones; all of them when
 * RECURSIVE), and the scope of the statement that owns the clause.
 */
function withQueries(withClause: Fields, scope: ReadonlySet<string>, facts: Facts): { scope: ReadonlySet<string>; queries: Frame[] } {
  const ctes = (Array.isArray(withClause.ctes) ? withClause.ctes : [])
    .map((c) => (isFields(c) && isFields(c.CommonTableExpr) ? c.CommonTableExpr : undefined))
    .filter((c): c is Fields => c !== undefined);
  const names = ctes.map((c) => str(c.ctename) ?? '');
  const queries = ctes.map((cte, i) => {
    if (isFields(cte.ctequery) && DML.has(Object.keys(cte.ctequery)[0] ?? '')) facts.flag('data-modifying-cte');
    const visible = withClause.recursive === true ? names : names.slice(0, i);
    return { value: cte, scope: new Set([...scope, ...visible]) };
  });
  return { scope: new Set([...scope, ...names]), queries };
}

function visitNode(type: string, body: Fields, scope: ReadonlySet<string>, facts: Facts, nested: boolean): void {
  if (type.endsWith('Stmt')) facts.statement(type, nested);
  switch (type) {
    case 'RangeVar': {
      const name = str(body.relname);
      if (name === undefined) return;
      // An unqualified name in a WITH's scope is that WITH query, not a table.
      if (body.schemaname === undefined && scope.has(name)) return;
      facts.table(str(body.schemaname), name, body.relpersistence === 't');
      return;
    }
    case 'UpdateStmt':
    case 'DeleteStmt':
      if (filtersNothing(body.whereClause, targetTable(body.relation))) facts.flag('no-where');
      return;
    case 'MergeStmt':
      if (filtersNothing(body.joinCondition, targetTable(body.relation))) facts.flag('no-where');
      return;
    case 'CopyStmt':
      if (body.is_from === true) facts.flag('write');
      if (body.is_program === true) facts.flag('copy-program');
      else if (body.filename === undefined) facts.copyStdio = true;
      return;
    case 'TransactionStmt':
      if (!SAVEPOINTS.has(str(body.kind) ?? '')) facts.endsTransaction = true;
      return;
    case 'VariableSetStmt':
      if (ROLE_SETTINGS.has(str(body.name) ?? '')) facts.flag('role-change');
      return;
    case 'DropStmt':
      if (DROPPED_RELATIONS.has(str(body.removeType) ?? '')) {
        for (const parts of droppedNames(body.objects)) facts.table(parts.at(-2), parts.at(-1)!);
      }
      return;
    case 'FuncCall':
      visitCall(body, facts);
      return;
  }
}

function visitCall(call: Fields, facts: Facts): void {
  const name = (Array.isArray(call.funcname) ? call.funcname : []).map(stringValue).filter((s): s is string => s !== undefined);
  switch (functionKind(name)) {
    case 'opaque':
      facts.flag('opaque-code');
      return;
    case 'writes':
      facts.flag('write');
      return;
    case 'set-config': {
      facts.flag('set-config');
      // A setting name that is not a literal could be anything, the role included.
      const setting = constantString(Array.isArray(call.args) ? call.args[0] : undefined);
      if (setting === undefined || ROLE_SETTINGS.has(setting.trim().toLowerCase())) facts.flag('role-change');
      return;
    }
  }
}

/** The table an UPDATE, DELETE or MERGE writes, as its columns may be qualified. */
function targetTable(relation: unknown): TargetTable | undefined {
  if (!isFields(relation)) return undefined;
  const relname = str(relation.relname);
  const alias = isFields(relation.alias) ? str(relation.alias.aliasname) : undefined;
  return relname === undefined ? undefined : { relname, ...(alias !== undefined && { alias }) };
}

/** DROP TABLE a, s.b → [['a'], ['s', 'b']] (a leading database name is dropped by taking the last two). */
function droppedNames(objects: unknown): string[][] {
  if (!Array.isArray(objects)) return [];
  return objects
    .map((o) => (isFields(o) && isFields(o.List) && Array.isArray(o.List.items) ? o.List.items.map(stringValue) : []))
    .filter((parts): parts is string[] => parts.length > 0 && parts.every((p) => p !== undefined));
}

function stringValue(node: unknown): string | undefined {
  return isFields(node) && isFields(node.String) ? str(node.String.sval) : undefined;
}

/** A string literal, possibly cast (`'role'::text`). */
function constantString(node: unknown): string | undefined {
  let value = node;
  while (isFields(value) && isFields(value.TypeCast)) value = value.TypeCast.arg;
  if (isFields(value) && isFields(value.A_Const) && isFields(value.A_Const.sval)) return str(value.A_Const.sval.sval);
  return undefined;
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
