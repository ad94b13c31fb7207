// Canonical JSON (the RFC 8785 shape for the values we store): object keys sorted by UTF-16 code
// units, no whitespace, numbers and strings as JSON.stringify writes them, undefined members dropped.
// One value has exactly one serialization, so a line's bytes and its hash agree. Written as loops:
// every event the gateway records goes through here once.

/** Keys as JSON strings: events repeat the same few dozen. Bounded: an agent's JSON names keys too. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;
const MAX_QUOTED_KEY_LENGTH = 64;

function quoted(key: string): string {
  let text = quotedKeys.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS && key.length <= MAX_QUOTED_KEY_LENGTH) quotedKeys.set(key, text);
  }
  return text;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`cannot serialize ${value} as JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      const item: unknown = value[i];
      text += item === undefined ? 'null' : canonicalJson(item);
    }
    return text + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // An object of plain values whose keys are in order already is what JSON.stringify writes
  // (natively, several times as fast as the loop below); not one with a prototype of its own,
  // which may have a toJSON.
  let sorted = true;
  let plain = Object.getPrototypeOf(record) === Object.prototype;
  for (let i = 0; i < keys.length && plain; i++) {
    if (i > 0 && keys[i - 1]! > keys[i]!) sorted = false;
    const item = record[keys[i]!];
    const type = typeof item;
    plain = type === 'string' || type === 'boolean' || item === null || (type === 'number' && Number.isFinite(item));
  }
  if (sorted && plain) return JSON.stringify(record);
  if (keys.length > 1) keys.sort();
  let text = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (text.length > 1) text += ',';
    text += quoted(key) + ':' + canonicalJson(item);
  }
  return text + '}';
}
