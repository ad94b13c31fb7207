// YAML text → Policy, or every problem in one pass, each with its path in the document and its
// line:column. Fails closed: a policy with any problem is never returned.
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { connectionSchema } from '../connections/schemas.js';
import { compilePolicy, type Policy, type Problem } from './compile.js';
import { issuerSchema } from '../identity/schema.js';
import { policySchema, ruleSchema } from './schema.js';

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

export function loadPolicy(text: string, options: LoadOptions): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (path: Array<string | number>) => locate(doc, lineCounter, path);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: '', line: pos.line, column: pos.col, message: e.message.split('\n')[0]! };
      }),
    };
  }

  const problems: PolicyProblem[] = [];
  const interpolated = interpolate(doc.toJS() ?? {}, [], options.variables, (path, message) =>
    problems.push({ path: formatPath(path), ...where(path), message }),
  );
  const parsed = policySchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) {
    // A value with an unset variable is already reported; its schema failure would only repeat it.
    const unset = new Set(problems.map((p) => p.path));
    for (const issue of flatten(parsed.error.issues)) {
      const path = formatPath(issue.path);
      if (!unset.has(path)) problems.push({ path, ...where(issue.path), message: issue.message });
    }
  }
  if (!parsed.success) {
    // The checks that need a whole document (names, references, reviewers, regexes, globs) still
    // run on every part that is valid, so that one pass reports every problem.
    const partial = compilePartial(interpolated, options);
    const seen = new Set(problems.map((p) => `${p.path}\n${p.message}`));
    for (const p of partial) {
      const path = formatPath(p.path);
      if (!seen.has(`${path}\n${p.message}`)) problems.push({ path, ...where(p.path), message: p.message });
    }
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems: sortProblems(problems) };

  const compiled = compilePolicy(parsed.data, { env: options.env });
  if (!compiled.policy) {
    return {
      ok: false,
      problems: sortProblems(compiled.problems.map((p) => ({ path: formatPath(p.path), ...where(p.path), message: p.message }))),
    };
  }
  return { ok: true, policy: compiled.policy };
}

/** The compiler's problems over the valid parts of a document that is not valid as a whole. */
function compilePartial(input: unknown, options: LoadOptions): Problem[] {
  const doc = (input && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const entries = <T>(value: unknown, schema: z.ZodType<T>) =>
    (Array.isArray(value) ? value : []).flatMap((item, at) => {
      const parsed = schema.safeParse(item);
      return parsed.success ? [{ at, value: parsed.data }] : [];
    });
  const issuers = entries(doc.issuers, issuerSchema);
  // A rule with a field too many is still checked for the rest (its unknown field is reported).
  const rules = entries(doc.rules, ruleSchema.strip());
  const rawConnections = doc.connections && typeof doc.connections === 'object' && !Array.isArray(doc.connections) ? (doc.connections as Record<string, unknown>) : {};
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
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
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
