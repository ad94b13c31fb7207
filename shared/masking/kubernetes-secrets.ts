// A Kubernetes Secret printed as YAML (kubectl get secret -o yaml, over ssh or a shell tool):
// every value under its `data` (base64, which anyone decodes) and `stringData`, and the
// last-applied-configuration annotation that repeats them, masked whole whatever they hold. The
// Kubernetes kind masks the Secrets of its own answers the same way (connections/kubernetes);
// JSON is read by JSON mode (json-text.ts, json-value.ts). kubectl writes a mapping's keys in
// order, `data` before `kind`: a stream holds a `data` block whose mapping has no `kind` yet.
import type { Replacement, ScanRule } from './rule.js';

export const KUBERNETES_SECRET_RULE = 'kubernetes-secret';

/** The annotation kubectl apply leaves on an object: the object as applied, a Secret's values included. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Members of a Secret whose values are all secret. */
export const SECRET_FIELDS: readonly string[] = ['data', 'stringData'];

/**
 * Whether a parsed JSON document is a Kubernetes object or a list of them: its first member is
 * its `apiVersion` or its `kind`, a string, as the API server and kubectl write them (JSON mode
 * over text reads the same from the first key).
 */
export function isApiObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const first = Object.keys(value)[0];
  return (first === 'apiVersion' || first === 'kind') && typeof (value as Record<string, unknown>)[first] === 'string';
}

/** Each field's key, as a stream's hold looks for it; all of them end in KEY_END. */
const KEYS: Readonly<Record<string, string>> = Object.fromEntries(SECRET_FIELDS.map((field) => [field, `${field}:`]));
const KEY_END = 'ata:';
/** Where KEY_END was found in the text a stream's hold reads (reused: holdFrom runs to its end). */
const ends: number[] = [];

/** How far a mapping is read back from its `kind` line, and a stream's `data` block looked for (characters). */
const LOOKBACK = 1 << 16;

const isBlank = (c: number) => c === 32 || c === 9;

interface Line {
  start: number;
  /** Offset of its first character that is not a blank (end, for a blank line). */
  indent: number;
  end: number;
}

/** Keys of a field a stream's hold looks at, from the last: a Secret's block is the last one open. */
const MAX_KEYS_LOOKED = 8;
/** Most indentation (and list items' dashes) before a key. */
const MAX_INDENT = 128;

/**
 * The line that `at` starts a key of, after its indentation and list items' dashes; undefined
 * when something else comes before it (read back no further than MAX_INDENT).
 */
function keyLine(text: string, at: number): Line | undefined {
  let start = at;
  while (start > 0 && at - start <= MAX_INDENT) {
    const c = text.charCodeAt(start - 1);
    if (c === 10) break;
    if (!isBlank(c) && c !== 45) return undefined;
    start--;
  }
  return start === 0 || text.charCodeAt(start - 1) === 10 ? measured(text, start) : undefined;
}

/** The line holding offset `at`. */
function lineAt(text: string, at: number): Line {
  let start = at;
  while (start > 0 && text.charCodeAt(start - 1) !== 10) start--;
  return measured(text, start);
}

function measured(text: string, start: number): Line {
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  let indent = start;
  while (indent < end && isBlank(text.charCodeAt(indent))) indent++;
  return { start, indent, end };
}

/** The line after `line`, or undefined at the text's end. */
function next(text: string, line: Line): Line | undefined {
  const nl = text.indexOf('\n', line.end);
  return nl < 0 ? undefined : measured(text, nl + 1);
}

/** The line before `line`, or undefined at the text's start. */
function previous(text: string, line: Line): Line | undefined {
  return line.start === 0 ? undefined : lineAt(text, line.start - 1);
}

/** A line's key column: past a list item's dash (`- kind: Secret`). */
function keyColumn(text: string, line: Line): number {
  let at = line.indent;
  while (text.charCodeAt(at) === 45 && isBlank(text.charCodeAt(at + 1))) {
    at += 2;
    while (isBlank(text.charCodeAt(at))) at++;
  }
  return at - line.start;
}

const blank = (line: Line) => line.indent === line.end;
const isDocumentMark = (text: string, line: Line) => line.indent === line.start && (text.startsWith('---', line.start) || text.startsWith('...', line.start));

/** Whether `line` holds the key `name` at column `column` followed by `:` (and, if `value`, that value alone). */
function keyed(text: string, line: Line, column: number, name: string, value?: RegExp): boolean {
  const at = line.start + column;
  if (keyColumn(text, line) !== column || !text.startsWith(name, at) || text.charCodeAt(at + name.length) !== 58) return false;
  return value === undefined || value.test(text.slice(at + name.length + 1, line.end));
}

const SECRET_KIND = /^[ \t]*(["']?)Secret\1[ \t]*(?:#.*)?$/;
const NO_VALUE = /^[ \t]*(?:#.*)?$/;

/** The mapping that holds `line` as one of its keys at `column`: its first and last lines, and whether the text ends inside it. */
function mappingOf(text: string, line: Line, column: number): { first: Line; last: Line; open: boolean } {
  let first = line;
  // A list item's dash before the key opens the mapping on this line.
  for (let l = line.indent - line.start < column ? undefined : previous(text, line); l && line.start - l.start <= LOOKBACK; l = previous(text, l)) {
    if (isDocumentMark(text, l)) break;
    if (blank(l)) continue;
    const c = keyColumn(text, l);
    if (l.indent - l.start < column && c !== column) break;
    if (c === column || l.indent - l.start > column) first = l;
    // A list item's dash opens the mapping.
    if (c === column && l.indent - l.start < column) break;
  }
  let last = line;
  for (let l = next(text, line); l; l = next(text, l)) {
    if (isDocumentMark(text, l) || (!blank(l) && l.indent - l.start < column)) return { first, last, open: false };
    if (!blank(l)) last = l;
  }
  return { first, last, open: true };
}

/** The values of the block under the key line `line` (at `column`): each child's value, and lines deeper than a child. */
function blockValues(text: string, line: Line, column: number, end: number, emit: (start: number, end: number) => void): void {
  let child = -1;
  for (let l = next(text, line); l && l.start <= end; l = next(text, l)) {
    if (blank(l)) continue;
    const indent = l.indent - l.start;
    if (indent <= column) return;
    if (child < 0) child = indent;
    if (indent > child) {
      emit(l.indent, l.end);
      continue;
    }
    const colon = valueAfterKey(text, l);
    if (colon !== undefined && colon < l.end) emit(colon, trimmedEnd(text, colon, l.end));
  }
}

/** Where the value of the key that starts `line` begins (past `: `), undefined when no `key:` starts it. */
function valueAfterKey(text: string, line: Line): number | undefined {
  let at = line.indent;
  const quote = text.charCodeAt(at);
  if (quote === 34 || quote === 39) {
    const close = text.indexOf(String.fromCharCode(quote), at + 1);
    if (close < 0 || close >= line.end) return undefined;
    at = close + 1;
  }
  for (; at < line.end; at++) {
    if (text.charCodeAt(at) !== 58) continue;
    const after = text.charCodeAt(at + 1);
    if (at + 1 === line.end || isBlank(after)) {
      let value = at + 1;
      while (value < line.end && isBlank(text.charCodeAt(value))) value++;
      // A block scalar's indicator is no value: its lines are (deeper than the child).
      return /^[|>][-+]?\d?[-+]?$/.test(text.slice(value, line.end)) ? line.end : value;
    }
  }
  return undefined;
}

function trimmedEnd(text: string, start: number, end: number): number {
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return end;
}

/** The value of the last-applied annotation under `line` (the metadata key), whatever its depth. */
function lastApplied(text: string, first: Line, last: Line, emit: (start: number, end: number) => void): void {
  // Looked for in the mapping alone: a search to the text's end for each Secret would read a list of them again and again.
  const mapping = text.slice(first.start, last.end);
  for (let found = mapping.indexOf(LAST_APPLIED); found >= 0; found = mapping.indexOf(LAST_APPLIED, found + 1)) {
    const line = keyLine(text, first.start + found);
    if (line === undefined) continue;
    const value = valueAfterKey(text, line);
    if (value === undefined) continue;
    if (value < line.end) emit(value, trimmedEnd(text, value, line.end));
    const column = line.indent - line.start;
    for (let l = next(text, line); l && l.start <= last.end; l = next(text, l)) {
      if (blank(l)) continue;
      if (l.indent - l.start <= column) break;
      emit(l.indent, l.end);
    }
  }
}

export function kubernetesSecrets(replacement?: Replacement): ScanRule {
  return {
    id: KUBERNETES_SECRET_RULE,
    gates: [`kind:[ \t]{1,8}["']?Secret`],
    scan(text, starts, emit) {
      // A mapping is read once, whatever number of kind lines it holds.
      let doneUntil = -1;
      for (const start of starts) {
        if (start < doneUntil) continue;
        const line = keyLine(text, start);
        if (line === undefined) continue;
        const column = start - line.start;
        if (!keyed(text, line, column, 'kind', SECRET_KIND)) continue;
        const { first, last } = mappingOf(text, line, column);
        doneUntil = last.end;
        for (let l: Line | undefined = first; l && l.start <= last.end; l = next(text, l)) {
          if (SECRET_FIELDS.some((field) => keyed(text, l!, column, field, NO_VALUE))) blockValues(text, l, column, last.end, emit);
        }
        lastApplied(text, first, last, emit);
      }
    },
    holdFrom(text) {
      // The last `data:` (or `stringData:`) key with no value on its line, of a mapping the text
      // ends in, before any `kind`. Keys with a value on their line are passed over (an SSE
      // stream's `data:` lines, a Secret's own key named data), not further than a line's start.
      const floor = Math.max(0, text.length - LOOKBACK);
      // Both fields' keys end in KEY_END: found forward in one pass (indexOf's scan is several
      // times faster than lastIndexOf's, which reads all of a text without them), read from the last.
      ends.length = 0;
      for (let at = text.indexOf(KEY_END, floor); at >= 0; at = text.indexOf(KEY_END, at + KEY_END.length)) ends.push(at);
      let hold = text.length;
      for (const field of SECRET_FIELDS) {
        const key = KEYS[field]!;
        for (let i = ends.length - 1, looked = 0; i >= 0 && looked < MAX_KEYS_LOOKED; i--) {
          const at = ends[i]! + KEY_END.length - key.length;
          if (at < 0 || !text.startsWith(key, at)) continue;
          const line = keyLine(text, at);
          if (line === undefined) continue;
          looked++;
          const column = at - line.start;
          if (!keyed(text, line, column, field, NO_VALUE)) {
            if (column === 0) break;
            continue;
          }
          const { first, last, open } = mappingOf(text, line, column);
          let kind = false;
          // A kind whose line has not ended may still be a Secret's.
          for (let l: Line | undefined = first; l && l.start <= last.end && !kind; l = next(text, l)) kind = keyed(text, l, column, 'kind') && text.indexOf('\n', l.end) >= 0;
          if (open && !kind) hold = Math.min(hold, line.start);
          break;
        }
      }
      return hold;
    },
    ...(replacement && { replacement }),
  };
}
