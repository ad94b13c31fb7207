// Function calls the classifier can vouch for. A call to anything else is `opaque-code`: its body
// is not in the request, so what it does cannot be seen (it might write, sleep, signal backends,
// read server files or reach another database). Only unqualified or pg_catalog-qualified names
// count; `public.lower(…)` is somebody's own function.

/** Side-effect-free built-ins: aggregates, window, string, math, date, JSON, array, catalog lookups. */
const PURE = new Set([
  // aggregates and window functions
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg',
  'jsonb_object_agg', 'bool_and', 'bool_or', 'every', 'stddev', 'stddev_pop', 'stddev_samp', 'variance',
  'var_pop', 'var_samp', 'percentile_cont', 'percentile_disc', 'mode', 'row_number', 'rank', 'dense_rank',
  'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
  // strings
  'lower', 'upper', 'length', 'char_length', 'character_length', 'octet_length', 'substr', 'substring',
  'btrim', 'ltrim', 'rtrim', 'replace', 'concat', 'concat_ws', 'left', 'right', 'lpad', 'rpad', 'position',
  'strpos', 'split_part', 'initcap', 'reverse', 'repeat', 'format', 'overlay', 'normalize', 'regexp_replace',
  'regexp_match', 'regexp_matches', 'regexp_like', 'regexp_count', 'regexp_split_to_array',
  'regexp_split_to_table', 'similar_to_escape', 'starts_with', 'md5', 'sha256', 'sha512', 'to_hex', 'encode',
  'decode', 'quote_ident', 'quote_literal', 'string_to_array', 'array_to_string',
  // numbers
  'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc', 'mod', 'power', 'sqrt', 'sign', 'div', 'exp', 'ln',
  'log', 'random', 'width_bucket',
  // dates and times
  'now', 'date_trunc', 'date_part', 'extract', 'age', 'to_char', 'to_date', 'to_timestamp', 'to_number',
  'make_date', 'make_time', 'make_timestamp', 'make_timestamptz', 'make_interval', 'clock_timestamp',
  'statement_timestamp', 'transaction_timestamp', 'timezone', 'date_bin', 'justify_days', 'justify_hours',
  'justify_interval', 'isfinite', 'overlaps',
  // JSON
  'to_json', 'to_jsonb', 'row_to_json', 'json_build_object', 'jsonb_build_object', 'json_build_array',
  'jsonb_build_array', 'jsonb_set', 'jsonb_insert', 'json_extract_path', 'json_extract_path_text',
  'jsonb_extract_path', 'jsonb_extract_path_text', 'json_array_elements', 'jsonb_array_elements',
  'json_array_elements_text', 'jsonb_array_elements_text', 'json_each', 'jsonb_each', 'json_each_text',
  'jsonb_each_text', 'json_object_keys', 'jsonb_object_keys', 'json_array_length', 'jsonb_array_length',
  'json_typeof', 'jsonb_typeof', 'jsonb_pretty', 'jsonb_strip_nulls', 'jsonb_path_query',
  'jsonb_path_query_array', 'jsonb_path_query_first', 'jsonb_path_exists', 'jsonb_path_match',
  // arrays and sets
  'array_length', 'array_position', 'array_positions', 'array_append', 'array_prepend', 'array_cat',
  'array_remove', 'array_replace', 'cardinality', 'unnest', 'generate_series', 'generate_subscripts',
  // session and catalog lookups
  'current_setting', 'current_database', 'current_schema', 'current_schemas', 'version', 'pg_typeof',
  'format_type', 'to_regclass', 'to_regtype', 'gen_random_uuid', 'pg_size_pretty', 'pg_relation_size',
  'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size', 'pg_column_size', 'has_table_privilege',
  'has_schema_privilege', 'has_column_privilege', 'has_function_privilege', 'obj_description',
  'col_description', 'pg_get_viewdef', 'pg_get_indexdef', 'pg_get_constraintdef', 'pg_get_functiondef',
  'pg_get_expr',
]);

/** Built-ins that change data: sequences advance even in a statement that only reads. */
const WRITING = new Set(['nextval', 'setval']);

export type FunctionKind = 'pure' | 'writes' | 'set-config' | 'opaque';

/** `name` is the call's name parts as written: ['lower'] or ['pg_catalog', 'lower']. */
export function functionKind(name: readonly string[]): FunctionKind {
  const builtin = name.length === 1 || (name.length === 2 && name[0] === 'pg_catalog');
  const fn = name.at(-1)!;
  if (!builtin) return 'opaque';
  if (fn === 'set_config') return 'set-config';
  if (WRITING.has(fn)) return 'writes';
  return PURE.has(fn) ? 'pure' : 'opaque';
}
