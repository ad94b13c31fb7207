// Result values as JSON. Rows arrive in PostgreSQL's text format and are converted here, by type:
// booleans and small numbers become JSON booleans and numbers, JSON columns become JSON, and
// everything else (bigint and numeric included, which JSON numbers would round) stays the text
// PostgreSQL printed — the same text psql shows.

/** Names of the built-in types agents meet most, by OID (pg_type.oid is stable for built-ins). */
const TYPE_NAMES: Record<number, string> = {
  16: 'bool', 17: 'bytea', 18: 'char', 19: 'name', 20: 'int8', 21: 'int2', 23: 'int4', 24: 'regproc', 25: 'text',
  26: 'oid', 114: 'json', 142: 'xml', 600: 'point', 650: 'cidr', 700: 'float4', 701: 'float8', 705: 'unknown',
  774: 'macaddr8', 790: 'money', 829: 'macaddr', 869: 'inet', 1000: 'bool[]', 1001: 'bytea[]', 1005: 'int2[]',
  1007: 'int4[]', 1009: 'text[]', 1014: 'bpchar[]', 1015: 'varchar[]', 1016: 'int8[]', 1021: 'float4[]',
  1022: 'float8[]', 1042: 'bpchar', 1043: 'varchar', 1082: 'date', 1083: 'time', 1114: 'timestamp',
  1115: 'timestamp[]', 1182: 'date[]', 1185: 'timestamptz[]', 1184: 'timestamptz', 1186: 'interval',
  1231: 'numeric[]', 1266: 'timetz', 1560: 'bit', 1562: 'varbit', 1700: 'numeric', 2205: 'regclass',
  2206: 'regtype', 2249: 'record', 2278: 'void', 2950: 'uuid', 2951: 'uuid[]', 3220: 'pg_lsn', 3614: 'tsvector',
  3802: 'jsonb', 3807: 'jsonb[]', 3904: 'int4range', 3906: 'numrange', 3908: 'tsrange', 3910: 'tstzrange',
  3912: 'daterange', 3926: 'int8range', 199: 'json[]',
};

export function typeName(oid: number): string {
  return TYPE_NAMES[oid] ?? `oid:${oid}`;
}

const INTEGERS = new Set([21, 23, 26]);
const FLOATS = new Set([700, 701]);
const JSON_TYPES = new Set([114, 3802]);

export function jsonValue(oid: number, text: string | null): unknown {
  if (text === null) return null;
  if (oid === 16) return text === 't';
  if (INTEGERS.has(oid)) return Number(text);
  // NaN and ±Infinity have no JSON number; they stay text.
  if (FLOATS.has(oid)) return Number.isFinite(Number(text)) ? Number(text) : text;
  if (JSON_TYPES.has(oid)) return JSON.parse(text);
  return text;
}
