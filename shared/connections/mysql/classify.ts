// A SQL request in MySQL's terms: parsed by node-sql-parser's grammar of the connection's dialect
// and turned into the Operation rules match. Requests the gateway cannot carry out faithfully are
// refused here, before any rule sees them: several statements, transaction control, and (unless
// the connection says `unparsable: judge`) SQL the grammar cannot parse.
import { sqlUnparsable, sqlUnsupported } from './refusals.js';
import { headerRecord } from '../headers.js';
import type { AgentRequest } from '../kind.js';
import type { Operation } from '../operation.js';
import { readSqlRequest, type Param } from '../sql-request.js';
import { analyze, type Analysis } from './analyze.js';
import type { MysqlConnection } from './schema.js';

export interface PreparedSql {
  sql: string;
  params: Param[];
  analysis: Analysis;
}

const SUMMARY_RESOURCES = 5;


export function prepareSql(request: AgentRequest, connection: MysqlConnection): PreparedSql {
  const { sql, params } = readSqlRequest(request);
  const analysis = analyze(sql, connection.dialect, connection.database);
  if (analysis.flags.includes('unparsable') && connection.unparsable === 'deny') {
    throw sqlUnparsable(
      `The ${connection.dialect === 'mariadb' ? 'MariaDB' : 'MySQL'} grammar could not parse the statement, or the server could read it otherwise than the grammar (executable comments /*! … */ or /*+ … */, "--" without a space after it, unterminated quotes or comments); the gateway runs only what it can judge.`,
    );
  }
  if (analysis.statements > 1) {
    throw sqlUnsupported('Send one statement per request; several statements in one request are refused.');
  }
  if (analysis.transactionControl) {
    throw sqlUnsupported('Each request runs as one transaction that the gateway begins and commits; leave out BEGIN, START TRANSACTION, COMMIT and ROLLBACK.');
  }
  return { sql, params, analysis };
}

export function toOperation(prepared: PreparedSql, request: AgentRequest, connection: MysqlConnection): Operation {
  const { analysis } = prepared;
  const shown = analysis.resources.slice(0, SUMMARY_RESOURCES);
  const more = analysis.resources.length - shown.length;
  const on = shown.length > 0 ? ` on ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
  const flags = analysis.flags.length > 0 ? ` (${analysis.flags.join(', ')})` : '';
  return {
    kind: 'mysql',
    method: 'SQL',
    path: '',
    query: '',
    actions: [analysis.action],
    resources: analysis.resources,
    flags: analysis.flags,
    headers: headerRecord(request.headers),
    text: prepared.sql,
    summary: `sql ${analysis.action}${on}${flags}`,
    details: {
      params: prepared.params.length,
      readOnly: analysis.readOnly,
      rowLimit: connection.rowLimit,
      statementTimeoutMs: connection.statementTimeoutMs,
      maxAffectedRows: connection.maxAffectedRows ?? null,
    },
  };
}
