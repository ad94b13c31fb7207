// A SQL request in PostgreSQL's own terms: parsed by the real parser, every statement walked, and
// turned into the Operation rules match — statement types, tables, risk flags, the SQL as text.
// Requests the gateway cannot carry out faithfully are refused here, before any rule sees them.
import { headerRecord } from '../headers.js';
import type { AgentRequest } from '../kind.js';
import type { Operation } from '../operation.js';
import { analyze, type Analysis } from './analyze.js';
import { parseSql, type ParsedStatement } from './parse.js';
import { sqlUnsupported } from './refusals.js';
import { readSqlRequest, type Param } from '../sql-request.js';
import type { PostgresConnection } from './schema.js';

export interface PreparedSql {
  sql: string;
  params: Param[];
  statements: ParsedStatement[];
  analysis: Analysis;
}

/** Resources named in a summary; the rest are counted. */
const SUMMARY_RESOURCES = 5;

export async function prepareSql(request: AgentRequest): Promise<PreparedSql> {
  const { sql, params } = readSqlRequest(request);
  const statements = await parseSql(sql);
  const analysis = analyze(statements.map((s) => s.node));
  if (params.length > 0 && statements.length > 1) {
    throw sqlUnsupported('Bind parameters need a single statement (PostgreSQL\'s extended protocol); send one statement per request, or no params.');
  }
  if (analysis.statements.some((s) => s.endsTransaction)) {
    throw sqlUnsupported('Each request runs as one transaction that the gateway begins and commits; leave out BEGIN, COMMIT, ROLLBACK and PREPARE TRANSACTION (SAVEPOINT and ROLLBACK TO are fine).');
  }
  if (analysis.statements.some((s) => s.copyStdio)) {
    throw sqlUnsupported('COPY … FROM STDIN and COPY … TO STDOUT are not carried through the gateway; use INSERT, or SELECT for reading.');
  }
  return { sql, params, statements, analysis };
}

export function toOperation(prepared: PreparedSql, request: AgentRequest, connection: PostgresConnection): Operation {
  const { analysis } = prepared;
  return {
    kind: 'postgres',
    method: 'SQL',
    path: '',
    query: '',
    actions: analysis.actions,
    resources: analysis.resources,
    flags: analysis.flags,
    headers: headerRecord(request.headers),
    text: prepared.sql,
    summary: summarize(analysis),
    details: {
      statements: analysis.statements.length,
      params: prepared.params.length,
      readOnly: analysis.readOnly,
      rowLimit: connection.rowLimit,
      statementTimeoutMs: connection.statementTimeoutMs,
    },
  };
}

/** `sql DeleteStmt on public.orders (write, no-where)`: top-level statement types, tables, flags. */
export function summarize(analysis: Analysis): string {
  const types = [...new Set(analysis.statements.map((s) => s.type))].join(', ');
  const shown = analysis.resources.slice(0, SUMMARY_RESOURCES);
  const more = analysis.resources.length - shown.length;
  const on = shown.length > 0 ? ` on ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
  const flags = analysis.flags.length > 0 ? ` (${analysis.flags.join(', ')})` : '';
  return `sql ${types}${on}${flags}`;
}
