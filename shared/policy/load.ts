// YAML text → Policy, or every problem in one pass, each with its path in the document and its
// line:column. Fails closed: a policy with any problem is never returned, and loading never throws.
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { connectionSchema } from '../connections/schemas.js';
import { compilePolicy, type Policy, type Problem } from './compile.js';
import { issuerSchema } from '../identity/schema.js';
import { matchSchema, policySchema, reviewSchema, ruleSchema, type MatchDocument, type ReviewDocument, type RuleDocument } from './schema.js';

export interface PolicyProblem {
  /** `rules[2].match.method` */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

export type LoadResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

export interface LoadOptions {
  env: 'development' | 'production';
  /** `${NAME}` in string values is replaced from here; an unset name is a problem. */
  variables: Record<string, string | undefined>;
}

/** A policy as read from a file (bytes, which must be UTF-8) or as text. */
export function loadPolicy(source: string | Uint8Array, options: LoadOptions): LoadResult {
  const yaml = readYaml(source);
  if (!('value' in yaml)) return { ok: false, problems: yaml.problems };
  const { where } = yaml;
  const problems: PolicyProblem[] = [...yaml.problems];
  // A value with an unset variable is reported as such; its schema or compiler failure would only repeat it.
  const unset = new Set<string>();
  const interpolated = interpolate(yaml.value ?? {}, [], options.variables, (path, message) => {
    unset.add(formatPath(path));
    problems.push({ path: formatPath(path), ...where(path), message });
  });
  const parsed = policySchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) {
    for (const issue of flatten(parsed.error.issues)) {
      const path = formatPath(issue.path);
      if (!unset.has(path)) problems.push({ path, ...where(issue.path), message: issue.message });
    }
  }
  // The checks that need a whole document (names, references, reviewers, regexes, globs, flags)
  // run on every part that is valid, so that one pass reports every problem.
  const compiled = parsed.success ? compilePolicy(parsed.data, { env: options.env }) : { policy: undefined, problems: compilePartial(interpolated, options) };
  const seen = new Set(problems.map((p) => `${p.path}\n${p.message}`));
  for (const p of compiled.problems) {
    const path = formatPath(p.path);
    if (!unset.has(path) && !seen.has(`${path}\n${p.message}`)) problems.push({ path, ...where(p.path), message: p.message });
  }
  if (problems.length > 0 || !compiled.policy) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, policy: compiled.policy };
}

/** The compiler's problems over the valid parts of a document that is not valid as a whole. */
function compilePartial(input: unknown, options: LoadOptions): Problem[] {
  const doc = isRecord(input) ? input : {};
  const entries = <T>(value: unknown, schema: z.ZodType<T>) =>
    (Array.isArray(value) ? value : []).flatMap((item, at) => {
      const parsed = schema.safeParse(item);
      return parsed.success ? [{ at, value: parsed.data }] : [];
    });
  const issuers = entries(doc.issuers, issuerSchema);
  const rules = (Array.isArray(doc.rules) ? doc.rules : []).flatMap((item, at) => (isRecord(item) ? [{ at, value: validRule(item, at) }] : []));
  const rawConnections = isRecord(doc.connections) ? doc.connections : {};
  const connections = Object.fromEntries(
    Object.entries(rawConnections).flatMap(([name, value]) => {
      const parsed = connectionSchema.safeParse(value);
      return parsed.success ? [[name, parsed.data]] : [];
    }),
  );
  const approvals = policySchema.shape.approvals.safeParse(doc.approvals);
  const partial = {
    version: 1 as const,
    recording: 'strict' as const,
    approvals: approvals.success ? approvals.data : { timeout: '1h' },
    issuers: issuers.map((i) => i.value),
    connections,
    rules: rules.map((r) => r.value),
  };
  return compilePolicy(partial, { env: options.env }, {
    issuers: issuers.map((i) => i.at),
    rules: rules.map((r) => r.at),
    // A connection that is there but not valid is reported as such, not as unknown.
    connectionNames: new Set(Object.keys(rawConnections)),
  }).problems;
}

/**
 * What can be checked of a rule that is not valid as a whole: its valid fields (the invalid ones
 * are reported by the schema), a review that is there even if not valid (so it is not also
 * "required"), and in place of a missing name or action one that adds no problem of its own: a
 * name no rule can have, and the action its review (or lack of one) fits.
 */
function validRule(raw: Record<string, unknown>, at: number): RuleDocument {
  const fields = validFields(ruleSchema, raw) as Partial<RuleDocument>;
  const review = raw.review === undefined ? undefined : (validFields(reviewSchema, raw.review) as ReviewDocument);
  return {
    ...fields,
    name: fields.name ?? `#${at}`,
    action: fields.action ?? (review ? 'review' : 'allow'),
    match: validFields(matchSchema, raw.match) as MatchDocument,
    review,
  };
}

/** The fields of `raw` that are valid on their own. */
function validFields(schema: z.ZodObject, raw: unknown): Record<string, unknown> {
  if (!isRecord(raw)) return {};
  return Object.fromEntries(
    Object.entries(schema.shape).flatMap(([key, field]) => {
      const parsed = (field as z.ZodType).safeParse(raw[key]);
      return key in raw && parsed.success ? [[key, parsed.data]] : [];
    }),
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function formatProblems(problems: PolicyProblem[], source: string): string {
  return problems
    .map((p) => {
      const at = p.line === undefined ? source : `${source}:${p.line}:${p.column}`;
      return `${at}  ${p.path || '(document)'}  ${p.message}`;
    })
    .join('\n');
}

function interpolate(
  value: unknown,
  path: Array<string | number>,
  variables: Record<string, string | undefined>,
  problem: (path: Array<string | number>, message: string) => void,
): unknown {
  if (typeof value === 'string') {
    // Only ${NAME} is a reference; any other ${ (${A:-b}, ${ A }, ${a-b}) would stay as literal text
    // where the author meant a value, so it is a problem.
    return value.replace(/\$\{(?:([A-Za-z_][A-Za-z0-9_]*)\}|[^}]*\}?)/g, (whole, name: string | undefined) => {
      if (name === undefined) {
        problem(path, `${JSON.stringify(whole)} is not a variable reference: write \${NAME} (letters, digits and _; no defaults or spaces); for a literal "\${" in a regular expression write \\$\\{`);
        return whole;
      }
      const v = variables[name];
      if (v === undefined || v === '') {
        problem(path, `uses \${${name}}, which is not set in the environment`);
        return whole;
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...path, i], variables, problem));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...path, k], variables, problem)]));
  }
  return value;
}

type Issue = { path: Array<string | number>; message: string };

/** zod issues → one readable line each; a union reports the branch the input was aiming at. */
export function flatten(issues: z.core.$ZodIssue[], prefix: Array<string | number> = []): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    switch (issue.code) {
      case 'invalid_union': {
        // A discriminated union (a connection's `kind`) names its options: list them.
        const named = issue as { discriminator?: string; options?: unknown[]; input?: unknown };
        if (named.discriminator && named.options) {
          const got = (named.input as Record<string, unknown> | undefined)?.[named.discriminator];
          const expected = named.options.map((o) => JSON.stringify(o)).join(', ');
          return [{ path, message: got === undefined ? `is required: one of ${expected}` : `expected one of ${expected}; got ${JSON.stringify(got)}` }];
        }
        const branches = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
        const chosen = branches.length > 0 ? branches.reduce((a, b) => (b.length < a.length ? b : a)) : undefined;
        return chosen ? flatten(chosen, path) : [{ path, message: describeUnion(issue.errors) }];
      }
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({ path: [...path, key], message: 'is not a known field' }));
      case 'invalid_value':
        return [{ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}; got ${JSON.stringify(issue.input)}` }];
      case 'invalid_type':
        return [{ path, message: issue.input === undefined ? 'is required' : `expected ${issue.expected}; got ${describeType(issue.input)}` }];
      default:
        return [{ path, message: issue.message }];
    }
  });
}

function describeUnion(branches: z.core.$ZodIssue[][]): string {
  const expected = branches.flatMap((b) => b.filter((i) => i.code === 'invalid_type').map((i) => (i as { expected: string }).expected));
  return expected.length ? `expected ${[...new Set(expected)].join(' or ')}` : 'is not valid';
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

export function formatPath(path: Array<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export type Where = (path: Array<string | number>) => { line?: number; column?: number };

/**
 * A YAML document's value, with its problems: a file that is not UTF-8, YAML errors and warnings
 * (an unknown tag), a duplicate key, an alias that refers to nothing or expands too far. No value
 * when the document's shape is in doubt (a syntax error); then its problems are all there is.
 */
export function readYaml(source: string | Uint8Array): { value?: unknown; problems: PolicyProblem[]; where: Where } {
  const decoded = typeof source === 'string' ? { text: source } : decodeUtf8(source);
  if (!('text' in decoded)) return { problems: [decoded.problem], where: () => ({}) };
  const lineCounter = new LineCounter();
  // Keys are strings as written, so `1:` and `"1":` are the same key (a duplicate), as they are
  // once the document is a JS object. A collection as a key is an error, not a stringified warning.
  const doc = parseDocument(decoded.text, { lineCounter, prettyErrors: false, uniqueKeys: true, stringKeys: true, logLevel: 'error' });
  const where: Where = (path) => locate(doc, lineCounter, path);
  const problemAt = (offset: number, message: string): PolicyProblem => {
    const pos = lineCounter.linePos(offset);
    return { path: formatPath(pathAt(doc.contents, offset)), line: pos.line, column: pos.col, message };
  };
  const problems = [...doc.errors, ...doc.warnings].map((e) => problemAt(e.pos[0], yamlMessage(e.code, e.message.split('\n')[0]!)));
  if (doc.errors.some((e) => !VALUE_ERRORS.has(e.code))) return { problems: sortProblems(problems), where };
  const alias = badAlias(doc);
  if (alias) return { problems: sortProblems([...problems, problemAt(alias.node.range?.[0] ?? 0, alias.message)]), where };
  try {
    // badAlias bounded what aliases expand to; yaml's own count (100 uses of an anchor) refuses real policies.
    return { value: doc.toJS({ maxAliasCount: -1 }), problems: sortProblems(problems), where };
  } catch (error) {
    return { problems: sortProblems([...problems, problemAt(0, `cannot be read: ${(error as Error).message}`)]), where };
  }
}

/** The path of the key or value at `offset` (or whose tag is there), as far as the document has one. */
function pathAt(node: unknown, offset: number, path: Array<string | number> = []): Array<string | number> {
  const endsAfter = (n: unknown) => (n as { range?: [number, number, number] } | null)?.range?.[2] ?? -1;
  if (isMap(node)) {
    const pair = node.items.find((p) => endsAfter(p.key) > offset || endsAfter(p.value) > offset);
    if (!pair || !isScalar(pair.key)) return path;
    const key = String(pair.key.value);
    return endsAfter(pair.key) > offset ? [...path, key] : pathAt(pair.value, offset, [...path, key]);
  }
  if (isSeq(node)) {
    const at = node.items.findIndex((item) => endsAfter(item) > offset);
    return at < 0 ? path : pathAt(node.items[at], offset, [...path, at]);
  }
  return path;
}

/** The yaml library's words, where they would puzzle a policy author. */
function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'this key is already in the mapping (keys are compared as written: 1 and "1" are the same key)';
  if (code === 'NON_STRING_KEY') return 'a key must be a plain value, not a list or a mapping';
  if (code === 'TAG_RESOLVE_FAILED') return `${message.replace('Unresolved', 'unknown').replace('tag:yaml.org,2002:', '!!')}: a policy takes plain YAML values (of the tags, only the core ones such as !!str)`;
  return message;
}

/** YAML errors about one key or value: the rest of the document is still as written, and checked. */
const VALUE_ERRORS: ReadonlySet<string> = new Set(['DUPLICATE_KEY', 'NON_STRING_KEY', 'KEY_OVER_1024_CHARS']);

/**
 * Values aliases may add to a document. Aliases are legitimate (one review block shared by a
 * hundred rules adds about a thousand), but nested ones multiply ("billion laughs"): a document
 * expanding past this is refused before anything walks it.
 */
const MAX_ALIAS_VALUES = 100_000;

/** The first alias that refers to no anchor before it, to a node that contains it, or that expands the document past MAX_ALIAS_VALUES. */
function badAlias(doc: Document.Parsed): { node: Node; message: string } | undefined {
  // Values a node stands for, its aliases expanded; Infinity while it is being counted (a cycle).
  const sizes = new Map<unknown, number>();
  const size = (node: unknown): number => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target ? size(target) : 0;
    }
    if (isPair(node)) return size(node.key) + size(node.value);
    if (!isCollection(node)) return node ? 1 : 0;
    let n = sizes.get(node);
    if (n === undefined) {
      sizes.set(node, Infinity);
      n = 1 + (node.items as unknown[]).reduce<number>((sum, item) => sum + size(item), 0);
      sizes.set(node, n);
    }
    return n;
  };
  let added = 0;
  let found: { node: Node; message: string } | undefined;
  visit(doc, {
    Alias(_key, node) {
      const target = node.resolve(doc);
      if (!target) found = { node, message: `*${node.source} refers to no anchor &${node.source} before it` };
      else if ((added += size(target)) === Infinity) found = { node, message: `*${node.source} is inside the node it refers to: it would never end` };
      else if (added > MAX_ALIAS_VALUES) found = { node, message: `aliases expand this document past ${MAX_ALIAS_VALUES} values (aliases within anchors multiply): write the repeated parts out` };
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text, or where the first byte that is not UTF-8 is: a Latin-1 `ñ` decoded leniently would silently become U+FFFD. */
function decodeUtf8(bytes: Uint8Array): { text: string } | { problem: PolicyProblem } {
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    // The byte that breaks a character: the last of the shortest prefix that fails (read as a
    // stream, so that a character cut at the prefix's end is not an error)…
    let [low, high] = [0, bytes.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (decodes(bytes.subarray(0, mid + 1), true)) low = mid + 1;
      else high = mid;
    }
    // …unless it ends a character left unfinished (Latin-1 `ñ` then `a`): that one's lead byte.
    let start = low;
    if (!decodes(bytes.subarray(0, start))) do start--; while ((bytes[start]! & 0xc0) === 0x80);
    const lines = utf8.decode(bytes.subarray(0, start)).split('\n');
    const byte = bytes[start]!.toString(16).toUpperCase().padStart(2, '0');
    return {
      problem: {
        path: '',
        line: lines.length,
        column: lines.at(-1)!.length + 1,
        message: `is not UTF-8: byte 0x${byte} (at byte offset ${start}) is not valid here (Latin-1 or Windows-1252?); save the file as UTF-8`,
      },
    };
  }
}

const decodes = (bytes: Uint8Array, stream = false) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream });
    return true;
  } catch {
    return false;
  }
};

/** The line:column of the deepest node along `path` that exists in the document. */
export function locate(doc: Document, lines: LineCounter, path: Array<string | number>): { line?: number; column?: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    const parent = depth > 0 ? (depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true)) : undefined;
    // For a key that exists, point at the key itself (where the author typed the mistake).
    const key = isMap(parent) ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === path[depth - 1])?.key : undefined;
    const range = (isScalar(key) ? key.range : undefined) ?? (node as { range?: [number, number, number] } | null)?.range;
    if (range) {
      const pos = lines.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

export function sortProblems(problems: PolicyProblem[]): PolicyProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
