// What a MySQL/MariaDB statement does, from node-sql-parser's grammar of the dialect: its type
// (the action), the tables it touches (resources, from the parser's table list, subqueries and
// joins included) and the risk flags. One statement per request: several are refused. Pure.
import nodeSqlParser from 'node-sql-parser';
import { alwaysTrue } from './always-true.js';
import type { MysqlFlag } from './flags.js';
import { serverReading } from './lex.js';
import { outputsOf, type Outputs } from './outputs.js';

const parser = new nodeSqlParser.Parser();

export interface Analysis {
  /** `SELECT`, `UPDATE`, `CREATE TABLE`…, or `unparsable`. */
  action: string;
  resources: string[];
  flags: MysqlFlag[];
  readOnly: boolean;
  /** Top-level statements the grammar found (more than one is refused). */
  statements: number;
  /** BEGIN, COMMIT, ROLLBACK…: the gateway owns the transaction. */
  transactionControl: boolean;
  /** What the result columns are made of, for masking (outputs.ts). */
  outputs: Outputs;
}

type Node = Record<string, unknown>;

const WRITES = new Set(['insert', 'replace', 'update', 'delete', 'truncate', 'load_data']);
const READS = new Set(['select', 'show', 'desc']);
const CONFIG = new Set(['set', 'use']);

/**
 * Built-in functions that only compute. Any other function (a stored function, or a built-in with
 * side effects such as GET_LOCK or SLEEP) is opaque code.
 */
const PURE_FUNCTIONS = new Set(
  `abs acos asin atan atan2 avg bin bit_and bit_count bit_length bit_or bit_xor cast ceil ceiling char char_length character_length
  coalesce concat concat_ws conv convert cos cot count crc32 curdate current_date current_time current_timestamp curtime database date
  date_add date_format date_sub datediff day dayname dayofmonth dayofweek dayofyear degrees elt exp extract field find_in_set floor
  format from_days from_unixtime greatest group_concat hex hour if ifnull in instr isnull json_array json_arrayagg json_contains
  json_extract json_keys json_length json_object json_objectagg json_quote json_search json_type json_unquote json_valid last_day lcase
  least left length ln locate log log10 log2 lower lpad ltrim makedate max md5 microsecond mid min minute mod month monthname now
  nullif oct octet_length ord period_add period_diff pi position pow power quarter quote radians rand regexp_instr regexp_like
  regexp_replace regexp_substr repeat replace reverse right round rpad rtrim schema sec_to_time second sha sha1 sha2 sign sin soundex
  space sqrt std stddev stddev_pop stddev_samp str_to_date strcmp subdate substr substring substring_index sum sysdate tan time
  time_format time_to_sec timediff timestamp timestampadd timestampdiff to_days trim truncate ucase unhex unix_timestamp upper
  utc_date utc_time utc_timestamp uuid var_pop var_samp variance version week weekday weekofyear year yearweek row_number rank
  dense_rank lag lead first_value last_value ntile percent_rank cume_dist`.split(/\s+/),
);

/**
 * `database` is the connection's default database, when known: a table in it is reported both
 * qualified and not (`shop.customers`, `customers`), so that rules written either way match it.
 */
export function analyze(sql: string, dialect: 'mysql' | 'mariadb', database?: string): Analysis {
  // The grammar parses the server's reading (comments blanked), never the raw text.
  const reading = serverReading(sql);
  if ('refused' in reading) return unparsable();
  let parsed: { tableList: string[]; ast: Node | Node[] };
  try {
    parsed = parser.parse(reading.text, { database: dialect === 'mariadb' ? 'MariaDB' : 'MySQL' }) as unknown as typeof parsed;
  } catch {
    return unparsable();
  }
  const statements = (Array.isArray(parsed.ast) ? parsed.ast : [parsed.ast]).filter(Boolean);
  const flags = new Set<MysqlFlag>();
  const resources = new Set<string>();
  for (const entry of parsed.tableList) {
    const [type, db, table] = entry.split('::');
    if (!table || table === 'null') continue;
    const qualified = db && db !== 'null' ? db : undefined;
    if (qualified) resources.add(`${qualified}.${table}`);
    if (database !== undefined && (!qualified || qualified.toLowerCase() === database.toLowerCase())) resources.add(`${database}.${table}`).add(table);
    else if (!qualified) resources.add(table);
    if (type && WRITES.has(type)) flags.add('write');
  }
  const top = statements[0] ?? {};
  let type = String(top.type ?? 'unknown');
  let node = top;
  // EXPLAIN shows a plan without running the statement (EXPLAIN ANALYZE aside, which the grammar does not take).
  if (type === 'explain' && isNode(top.expr)) {
    node = top.expr;
    type = String(node.type);
  }
  const action = `${top.type === 'explain' ? 'EXPLAIN ' : ''}${type.replace('_', ' ').toUpperCase()}${typeof node.keyword === 'string' && !READS.has(type) ? ` ${node.keyword.toUpperCase()}` : ''}`;

  if (WRITES.has(type)) flags.add('write');
  if (!WRITES.has(type) && !READS.has(type) && !CONFIG.has(type) && type !== 'lock' && type !== 'unlock' && type !== 'call' && type !== 'transaction') flags.add('ddl');
  if (type === 'truncate') flags.add('no-where');
  if ((type === 'update' || type === 'delete') && (node.where === null || node.where === undefined || alwaysTrue(node.where))) flags.add('no-where');
  if (type === 'load_data') flags.add('file');
  if (CONFIG.has(type)) flags.add('set-config');
  if (type === 'lock' || type === 'unlock') flags.add('lock');
  if (type === 'call' || (type === 'create' && /procedure|function|trigger|event/i.test(String(node.keyword)))) flags.add('opaque-code');
  walk(statements, (n) => {
    if (n.type === 'function') {
      const name = functionName(n);
      if (!PURE_FUNCTIONS.has(name)) flags.add('opaque-code');
      if (name === 'get_lock') flags.add('lock');
    }
    if (n.type === 'aggr_func' && typeof n.name === 'string' && !PURE_FUNCTIONS.has(n.name.toLowerCase())) flags.add('opaque-code');
    if (n.locking_read) flags.add('lock');
    // A SELECT … INTO a file or a variable is more than a read.
    if (isNode(n.into) && /outfile|dumpfile/i.test(String(n.into.keyword))) flags.add('file');
    else if (isNode(n.into) && n.into.expr) flags.add('set-config');
  });
  const readOnly = READS.has(type) && ![...flags].some((f) => f !== 'opaque-code');
  if (readOnly) flags.add('read-only');
  return {
    action,
    resources: [...resources],
    flags: [...flags],
    readOnly,
    statements: statements.length,
    transactionControl: statements.some((s) => s.type === 'transaction'),
    // The optimizer's statistics hold values sampled from other tables' columns (histograms,
    // minimum and maximum): every output is masked, under whatever name.
    outputs: outputsOf(top, flags.has('opaque-code'), !readOnly, [...resources].some((r) => STATISTICS.has(r.toLowerCase()))),
  };
}

const STATISTICS = new Set(['information_schema.column_statistics', 'mysql.column_stats']);

function unparsable(): Analysis {
  // Nothing known of its columns: masked whole if it runs (unparsable: judge).
  const outputs = { columns: [], targets: undefined, opaque: true, changes: true };
  return { action: 'unparsable', resources: [], flags: ['unparsable'], readOnly: false, statements: 1, transactionControl: false, outputs };
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

function functionName(n: Node): string {
  const name = n.name;
  if (typeof name === 'string') return name.toLowerCase();
  const parts = isNode(name) && Array.isArray(name.name) ? (name.name as Node[]) : [];
  // A schema-qualified name is a stored function, never a built-in.
  if (parts.length !== 1 || (isNode(name) && name.schema)) return `?${parts.map((p) => String(p.value)).join('.').toLowerCase()}`;
  return String(parts[0]!.value).toLowerCase();
}

function walk(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (!isNode(value)) return;
  visit(value);
  for (const child of Object.values(value)) walk(child, visit);
}
