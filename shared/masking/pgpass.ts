// PostgreSQL's password file (~/.pgpass, PGPASSFILE) as `cat` prints it through any connection:
// one entry a line, hostname:port:database:username:password, each of the first four a value or
// `*`, `:` and `\` escaped with `\`. The password is masked. A line is read only whole: five
// fields, none empty, no blank in the first four, a port that is a number or `*`, a host with a
// letter in it, an IPv4 address or `*`, a database that is not a number. A time of day never makes
// one (10:30:45 has no fifth field, and a log line's fields hold blanks), nor does a compiler's
// file:line:column:severity:message.
import { unlessPlaceholderPassword } from './rules/filters.js';
import type { Replacement, ScanRule } from './rule.js';

export const PGPASS_RULE = 'pgpass-password';

/** The longest line read as an entry, and the longest password a stream holds (characters). */
const MAX_LINE = 1024;
const MAX_PASSWORD = 256;

const isBreak = (c: number) => c === 10 || c === 13;
const isBlank = (c: number) => c === 32 || c === 9;

/** Offsets of the unescaped colons in [start, end), at most `most` + 1 of them. */
function colons(text: string, start: number, end: number, most: number): number[] {
  const found: number[] = [];
  for (let i = start; i < end && found.length <= most; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 58) found.push(i);
  }
  return found;
}

/** Whether [start, end) holds a field of the first four: not empty, no blank. */
function field(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (isBlank(text.charCodeAt(i))) return false;
  return true;
}

const PORT = /^(?:\*|\d{1,5})$/;
/** A host (or a socket's directory): `*`, an IPv4 address, or a name with a letter in it. */
const HOST = /^(?:\*|.*[A-Za-z].*|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
/** A database named by digits alone is a compiler's column (file:line:column:severity:message). */
const DIGITS = /^\d+$/;

/**
 * Where the password of the entry on the line [start, end) starts, when the line's first four
 * fields make an entry (the password may still be to come); undefined otherwise.
 */
function passwordStart(text: string, start: number, end: number): { at: number; fields: number } | undefined {
  const found = colons(text, start, end, 4);
  if (found.length < 4) return undefined;
  const [a, b, c, d] = found as [number, number, number, number];
  if (text.charCodeAt(start) === 35) return undefined;
  if (!field(text, start, a) || !field(text, a + 1, b) || !field(text, b + 1, c) || !field(text, c + 1, d)) return undefined;
  if (!PORT.test(text.slice(a + 1, b)) || !HOST.test(text.slice(start, a)) || DIGITS.test(text.slice(b + 1, c))) return undefined;
  return { at: d + 1, fields: found.length + 1 };
}

function lineStart(text: string, at: number): number | undefined {
  let s = at;
  while (s > 0 && !isBreak(text.charCodeAt(s - 1))) {
    if (at - s >= MAX_LINE) return undefined;
    s--;
  }
  return s;
}

export function pgpass(replacement?: Replacement): ScanRule {
  return {
    id: PGPASS_RULE,
    // The port's field between its colons, after what ends a host: two letters (with up to four
    // digits or dashes after them, db01 or pg-01; one letter and digits is an ISO time's T12:00:),
    // `*`, or an IPv4 address.
    gates: ['[A-Za-z][A-Za-z][0-9-]{0,4}:\\d{1,5}:', '\\*:\\d{1,5}:', '[A-Za-z0-9*]:\\*:', '\\d\\.\\d{1,3}:\\d{1,5}:'],
    scan(text, starts, emit) {
      let from = 0;
      for (const at of starts) {
        if (at < from) continue;
        // Each line is read once, whatever gates it holds.
        let end = at;
        while (end < text.length && !isBreak(text.charCodeAt(end))) end++;
        from = end;
        const start = lineStart(text, at);
        if (start === undefined || end - start > MAX_LINE) continue;
        const entry = passwordStart(text, start, end);
        if (!entry || entry.fields !== 5 || entry.at >= end) continue;
        const password = text.slice(entry.at, end);
        if (unlessPlaceholderPassword(password, password)) continue;
        emit(entry.at, end);
      }
    },
    // A password on a line that has not ended yet is held from its start: what follows decides
    // where it ends. Read back from the last colon (a text without one is not read), over fields
    // that hold no blank: a stream's prose stops that at once.
    holdFrom(text) {
      const n = text.length;
      const floor = Math.max(0, n - MAX_PASSWORD);
      const colon = text.slice(floor).lastIndexOf(':');
      if (colon < 0) return n;
      let start = floor + colon;
      for (let c = text.charCodeAt(start - 1); start > 0 && !isBreak(c); c = text.charCodeAt(--start - 1)) {
        if (isBlank(c) || n - start > MAX_LINE) return n;
      }
      const entry = passwordStart(text, start, n);
      return entry && entry.fields === 5 ? entry.at : n;
    },
    ...(replacement && { replacement }),
  };
}
