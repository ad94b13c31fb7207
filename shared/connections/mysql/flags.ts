// The risk flags a mysql Operation carries, for rules' `flags:` match: the postgres kind's names
// wherever the meaning is the same.
export const MYSQL_FLAGS = {
  'read-only': 'a plain read: SELECT without INTO or FOR UPDATE/SHARE, SHOW, DESCRIBE, EXPLAIN of a SELECT; it runs in a READ ONLY transaction',
  write: 'changes rows: INSERT, REPLACE, UPDATE, DELETE, TRUNCATE, LOAD DATA',
  ddl: 'changes schema, objects, privileges or the server (CREATE, ALTER, DROP, RENAME, TRUNCATE, GRANT, REVOKE…); any statement type the classifier does not know is counted here',
  'no-where': 'an UPDATE or DELETE without WHERE, or with a WHERE that refers to no column or is always true (WHERE 1, WHERE id = id, … OR 1=1); TRUNCATE too',
  'opaque-code': 'code whose effect the classifier cannot see: CALL, stored routines, triggers and events, and calls to functions that are not known built-ins',
  file: 'reads or writes files on the database server: SELECT … INTO OUTFILE/DUMPFILE, LOAD DATA',
  'set-config': 'SET (variables, names, transaction modes) or USE',
  lock: 'takes explicit locks: LOCK TABLES, SELECT … FOR UPDATE, GET_LOCK()',
  unparsable: 'the grammar could not parse it, or the server could read it otherwise (executable comments /*! … */ or /*+ … */, "--" without a space after it); only with unparsable: judge',
} as const;

export type MysqlFlag = keyof typeof MYSQL_FLAGS;
