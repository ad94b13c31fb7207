// The risk flags a postgres Operation carries, for rules' `flags:` match. The set is fixed; each
// flag is set when any statement of the request, at any depth (CTEs, subqueries, EXPLAIN,
// PREPARE, SQL-standard function bodies), shows it.
export const SQL_FLAGS = {
  'read-only':
    'every statement is a plain read: SELECT/VALUES/TABLE without INTO, FOR UPDATE/SHARE or data-modifying CTEs, SHOW, or EXPLAIN of such; the request runs in a READ ONLY transaction',
  write: 'changes rows: INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY FROM, SELECT INTO, CREATE TABLE AS, REFRESH MATERIALIZED VIEW, nextval()/setval()',
  ddl: 'changes schema, objects, privileges or the server (CREATE, ALTER, DROP, GRANT, COMMENT, VACUUM…, SELECT INTO); any statement type the classifier does not know is counted here',
  'no-where':
    'an UPDATE or DELETE (EXPLAIN ANALYZE of one included) without WHERE, or with a WHERE proved to filter nothing: always true (WHERE true, 1=1, \'a\'=\'a\', id = id, x IS NULL OR x IS NOT NULL, p OR NOT p, … OR true) or the same for every row (a condition on no column of the target: EXISTS (SELECT 1), $1, another table\'s columns only); TRUNCATE, and MERGE … ON such a condition, too',
  'data-modifying-cte': 'a WITH query that is an INSERT, UPDATE, DELETE or MERGE: it runs in full even under a SELECT',
  'opaque-code':
    'code whose effect the classifier cannot see: DO blocks, CREATE/ALTER FUNCTION or PROCEDURE, CALL, triggers, rules, LOAD, and calls to functions that are not side-effect-free built-ins',
  copy: 'a COPY statement',
  'copy-program': 'COPY … TO/FROM PROGRAM: runs a shell command on the database server',
  'multi-statement': 'more than one statement in the request',
  'transaction-control': 'SAVEPOINT, RELEASE or ROLLBACK TO (BEGIN, COMMIT and ROLLBACK are refused: the gateway owns the transaction)',
  'set-config': 'SET, RESET, SET TRANSACTION, SET CONSTRAINTS, DISCARD, ALTER SYSTEM, ALTER ROLE/DATABASE … SET, or a set_config() call',
  'role-change': 'SET ROLE, SET SESSION AUTHORIZATION, their RESET, or set_config() of role or session_authorization (or of a name that is not a literal)',
  lock: 'takes explicit locks: LOCK TABLE, SELECT … FOR UPDATE/SHARE',
} as const;

export type SqlFlag = keyof typeof SQL_FLAGS;

/** Flags that make a statement more than a plain read. `opaque-code` is not one: a READ ONLY transaction bounds what hidden code can do. */
export const NOT_READ_ONLY: ReadonlySet<SqlFlag> = new Set<SqlFlag>([
  'write', 'ddl', 'no-where', 'data-modifying-cte', 'copy', 'copy-program', 'transaction-control', 'set-config', 'role-change', 'lock',
]);
