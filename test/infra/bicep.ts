// A small reader for the Bicep in infra/: enough structure for the structural check (declarations,
// decorators, object entries, array items, string literals), not a Bicep compiler. It understands
// comments, '…' strings with escapes and ${…} interpolation, and '''…''' multi-line strings, so
// braces and `//` inside strings never confuse it.
import { readFileSync } from 'node:fs';

export interface Param {
  name: string;
  type: string;
  defaultValue?: string;
  decorators: string[];
  line: number;
}

export interface Var {
  name: string;
  value: string;
  line: number;
}

export interface Resource {
  symbol: string;
  /** e.g. Microsoft.Web/sites, or `config` for a nested child written with its short type. */
  type: string;
  apiVersion: string;
  existing: boolean;
  /** The `if (…)` condition's inner text, when the resource is conditional. */
  condition?: string;
  loop?: { item: string; source: string };
  /** The resource body, `{ … }`. */
  body: string;
  line: number;
}

export interface Module {
  symbol: string;
  path: string;
  condition?: string;
  body: string;
  line: number;
}

export interface Output {
  name: string;
  type: string;
  value: string;
  decorators: string[];
  line: number;
}

export interface Reference {
  path: string;
  line: number;
  kind: 'import' | 'load';
}

export interface BicepFile {
  path: string;
  /** Source with comments blanked out (same length, same line breaks). */
  code: string;
  /** The original source (comments included). */
  source: string;
  targetScope?: string;
  params: Param[];
  vars: Var[];
  resources: Resource[];
  modules: Module[];
  outputs: Output[];
  references: Reference[];
}

/** Index just past the string literal that starts at `i` (`'…'` or `'''…'''`). */
export function stringEnd(code: string, i: number): number {
  if (code.startsWith("'''", i)) {
    const end = code.indexOf("'''", i + 3);
    return end < 0 ? code.length : end + 3;
  }
  let j = i + 1;
  while (j < code.length) {
    const c = code[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === "'") return j + 1;
    if (c === '$' && code[j + 1] === '{') {
      j = closeOf(code, j + 1) + 1;
      continue;
    }
    j++;
  }
  return code.length;
}

/** Index of the bracket closing the one at `i` (`(`, `[` or `{`), skipping strings. */
export function closeOf(code: string, i: number): number {
  let depth = 0;
  for (let j = i; j < code.length; j++) {
    const c = code[j]!;
    if (c === "'") {
      j = stringEnd(code, j) - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return code.length - 1;
}

/** The source with `//` and `/* … *\/` comments replaced by spaces; strings untouched. */
export function blankComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "'") {
      const end = stringEnd(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (c === '/' && source[i + 1] === '/') {
      let j = i;
      while (j < source.length && source[j] !== '\n') j++;
      out += ' '.repeat(j - i);
      i = j;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const j = end < 0 ? source.length : end + 2;
      out += source.slice(i, j).replace(/[^\n]/g, ' ');
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Splits `text` at depth 0 on the given separators (newlines, and commas if asked). */
export function splitTopLevel(text: string, commas: boolean): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let j = 0; j < text.length; j++) {
    const c = text[j]!;
    if (c === "'") {
      j = stringEnd(text, j) - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && (c === '\n' || (commas && c === ','))) {
      parts.push(text.slice(start, j));
      start = j + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Position of `needle` (a single character) at depth 0 of `text`, or -1. */
export function indexAtTopLevel(text: string, needle: string, from = 0): number {
  let depth = 0;
  for (let j = from; j < text.length; j++) {
    const c = text[j]!;
    if (c === "'") {
      j = stringEnd(text, j) - 1;
      continue;
    }
    if (depth === 0 && c === needle) return j;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return -1;
}

const lineAt = (code: string, index: number) => code.slice(0, index).split('\n').length;

/** Reads one .bicep file into its declarations. */
export function parseBicepFile(path: string): BicepFile {
  return parseBicep(readFileSync(path, 'utf8'), path);
}

export function parseBicep(source: string, path = '<memory>'): BicepFile {
  const code = blankComments(source);
  const file: BicepFile = { path, code, source, params: [], vars: [], resources: [], modules: [], outputs: [], references: [] };

  // Statements: split at newlines outside brackets and strings.
  const statements: { text: string; start: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let j = 0; j <= code.length; j++) {
    const c = code[j];
    if (c === "'") {
      j = stringEnd(code, j) - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (j === code.length || (c === '\n' && depth === 0)) {
      const text = code.slice(start, j);
      if (text.trim()) statements.push({ text: text.trim(), start: start + (text.length - text.trimStart().length) });
      start = j + 1;
    }
  }

  let decorators: string[] = [];
  for (const { text, start: at } of statements) {
    const line = lineAt(code, at);
    if (text.startsWith('@')) {
      decorators.push(text);
      continue;
    }
    let m: RegExpMatchArray | null;
    if ((m = text.match(/^targetScope\s*=\s*'([^']*)'/))) {
      file.targetScope = m[1];
    } else if ((m = text.match(/^param\s+(\w+)\s+([^=]+?)(?:\s*=\s*([\s\S]*))?$/))) {
      file.params.push({ name: m[1]!, type: m[2]!.trim(), defaultValue: m[3]?.trim(), decorators, line });
    } else if ((m = text.match(/^var\s+(\w+)\s*=\s*([\s\S]*)$/))) {
      file.vars.push({ name: m[1]!, value: m[2]!.trim(), line });
    } else if ((m = text.match(/^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(existing\s*)?=\s*([\s\S]*)$/))) {
      const rest = splitConditionAndLoop(m[5]!);
      file.resources.push({ symbol: m[1]!, type: m[2]!, apiVersion: m[3]!, existing: Boolean(m[4]), ...rest, line });
    } else if ((m = text.match(/^module\s+(\w+)\s+'([^']+)'\s*=\s*([\s\S]*)$/))) {
      const rest = splitConditionAndLoop(m[3]!);
      file.modules.push({ symbol: m[1]!, path: m[2]!, condition: rest.condition, body: rest.body, line });
    } else if ((m = text.match(/^output\s+(\w+)\s+([\w.[\]]+)\s*=\s*([\s\S]*)$/))) {
      file.outputs.push({ name: m[1]!, type: m[2]!, value: m[3]!.trim(), decorators, line });
    } else if ((m = text.match(/^import\s+[\s\S]*?\bfrom\s+'([^']+)'/))) {
      file.references.push({ path: m[1]!, line, kind: 'import' });
    }
    decorators = [];
  }

  for (const m of code.matchAll(/\bload(?:JsonContent|TextContent|FileAsBase64|YamlContent)\(\s*'([^']+)'/g)) {
    file.references.push({ path: m[1]!, line: lineAt(code, m.index!), kind: 'load' });
  }
  return file;
}

function splitConditionAndLoop(rest: string): { condition?: string; loop?: { item: string; source: string }; body: string } {
  let text = rest.trim();
  let condition: string | undefined;
  let loop: { item: string; source: string } | undefined;
  const ifMatch = text.match(/^if\s*\(/);
  if (ifMatch) {
    const open = text.indexOf('(');
    const close = closeOf(text, open);
    condition = text.slice(open + 1, close).trim();
    text = text.slice(close + 1).trim();
  }
  if (text.startsWith('[')) {
    const inner = text.slice(1, closeOf(text, 0)).trim();
    const m = inner.match(/^for\s+(.+?)\s+in\s+/);
    if (m) {
      const afterIn = inner.slice(m[0].length);
      const colon = indexAtTopLevel(afterIn, ':');
      loop = { item: m[1]!.trim(), source: afterIn.slice(0, colon).trim() };
      text = afterIn.slice(colon + 1).trim();
      const loopIf = text.match(/^if\s*\(/);
      if (loopIf) {
        const close = closeOf(text, text.indexOf('('));
        condition = text.slice(text.indexOf('(') + 1, close).trim();
        text = text.slice(close + 1).trim();
      }
    }
  }
  const body = text.startsWith('{') ? text.slice(0, closeOf(text, 0) + 1) : text;
  return { condition, loop, body };
}

/** The entries of an object literal (`{ … }`), in order; later duplicates win. */
export function objectEntries(objectText: string): Map<string, string> {
  const entries = new Map<string, string>();
  const text = objectText.trim();
  if (!text.startsWith('{')) return entries;
  const inner = text.slice(1, closeOf(text, 0));
  for (const item of splitTopLevel(inner, true)) {
    const m = item.match(/^(?:'((?:[^'\\]|\\.)*)'|([A-Za-z_$][\w$]*))\s*:\s*([\s\S]*)$/);
    if (m) entries.set(m[1] ?? m[2]!, m[3]!.trim());
  }
  return entries;
}

/** The items of an array literal (`[ … ]`). */
export function arrayItems(arrayText: string): string[] {
  const text = arrayText.trim();
  if (!text.startsWith('[')) return [];
  return splitTopLevel(text.slice(1, closeOf(text, 0)), true);
}

/** Follows a dotted path through nested object literals; undefined where it leaves literals. */
export function valueAt(objectText: string, path: string): string | undefined {
  let current: string | undefined = objectText;
  for (const key of path.split('.')) {
    if (current === undefined || !current.trim().startsWith('{')) return undefined;
    current = objectEntries(current).get(key);
  }
  return current;
}

/** The value of a plain string literal (no interpolation), or undefined. */
export function stringLiteral(expression: string | undefined): string | undefined {
  if (expression === undefined) return undefined;
  const text = expression.trim();
  if (text.startsWith("'''")) return text.endsWith("'''") && text.length >= 6 ? text.slice(3, -3) : undefined;
  if (!/^'(?:[^'\\$]|\\.|\$(?!\{))*'$/.test(text)) return undefined;
  return text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** The `cond ? a : b` parts of a ternary at depth 0, or undefined. */
export function ternary(expression: string): { condition: string; whenTrue: string; whenFalse: string } | undefined {
  const q = indexAtTopLevel(expression, '?');
  if (q < 0) return undefined;
  // Skip `?.` and `??`, which are not the ternary operator.
  if (expression[q + 1] === '.' || expression[q + 1] === '?') return undefined;
  const colon = indexAtTopLevel(expression, ':', q + 1);
  if (colon < 0) return undefined;
  return {
    condition: expression.slice(0, q).trim(),
    whenTrue: expression.slice(q + 1, colon).trim(),
    whenFalse: expression.slice(colon + 1).trim(),
  };
}

/** The arguments of a call `name(a, b, …)` when `expression` is exactly such a call. */
export function callArguments(expression: string, name: string): string[] | undefined {
  const text = expression.trim();
  if (!text.startsWith(`${name}(`)) return undefined;
  const open = name.length;
  const close = closeOf(text, open);
  if (close !== text.length - 1) return undefined;
  return splitTopLevel(text.slice(open + 1, close), true);
}
