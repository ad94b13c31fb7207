// How deeply a JSON text nests, found in one linear pass without parsing it. Parsing, rules,
// masking and the session log's canonical JSON all walk JSON recursively: a body nested thousands
// deep would exhaust the stack in whichever step came first. Refusing it at the edge keeps every
// kind and the masker out of reach of such a body.

/** Deeper than any real API body; far shallower than what exhausts a walk's stack. */
export const MAX_JSON_DEPTH = 512;

/** Whether the JSON text in `bytes` opens more than `max` arrays and objects inside each other. */
export function jsonTooDeep(bytes: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: the next byte is escaped
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--;
    }
  }
  return false;
}
