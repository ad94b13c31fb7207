// Policy test files: cases that each name a principal (a token's claims), a connection, a request
// in that connection kind's terms, and what the policy should do with it. Validated in two passes
// that report together — the file's own shape, then against the policy (connections, the request
// shape of each connection's kind, rule names) — every problem with file:line:column.
import { z } from 'zod';
import { claimsSchema, offlineRequestSchema, type OfflineInput } from '../../../shared/gateway/offline.js';
import type { Policy } from '../../../shared/policy/compile.js';
import { flatten, formatPath, readYaml, sortProblems, type PolicyProblem } from '../../../shared/policy/load.js';
import { RESERVED_RULE_NAMES } from '../../../shared/policy/schema.js';

export const EXPECTED = ['allow', 'deny', 'review', 'refused'] as const;

const caseSchema = z.strictObject({
  name: z.string().min(1),
  // Optional here only so that its absence is reported in words (bindCases), not as a failed union.
  principal: z.union([z.string().min(1), claimsSchema]).optional().describe('a name from principals, or the token\'s claims (sub, iss, groups…)'),
  connection: z.string().min(1),
  request: z.record(z.string(), z.unknown()).describe('the request in the connection kind\'s terms'),
  expect: z.strictObject({
    action: z.enum(EXPECTED),
    rule: z.string().min(1).optional().describe('the deciding rule, or the guard\'s own: default, connection-groups'),
    problem: z.string().min(1).optional().describe('for refused: the problem type, e.g. sql-unsupported'),
  }),
});

const testFileSchema = z.strictObject({
  variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not a variable name'), z.string()).optional(),
  principals: z.record(z.string().min(1), claimsSchema).optional(),
  // Each case is checked on its own below, so one bad case does not hide the problems of the others.
  cases: z.array(z.unknown()).min(1, 'at least one case is required'),
});

export type TestCase = z.infer<typeof caseSchema>;
export type TestFile = Omit<z.infer<typeof testFileSchema>, 'cases'> & { cases: TestCase[] };

export interface ParsedTests {
  file: Omit<TestFile, 'cases'>;
  /** Every case, with its index in the file; `case` when its own shape is valid. */
  cases: Array<{ index: number; case?: TestCase; raw: unknown }>;
  /** line:column of a path in the file, for problems found later. */
  where(path: Array<string | number>): { line?: number; column?: number };
}

/** The file's own problems, and the valid part of it (undefined when the file as a whole is unusable). */
export function parseTestFile(source: string | Uint8Array): { tests?: ParsedTests; problems: PolicyProblem[] } {
  const yaml = readYaml(source);
  if (!('value' in yaml)) return { problems: yaml.problems };
  const { where } = yaml;
  const problems: PolicyProblem[] = [...yaml.problems];
  const add = (issues: z.core.$ZodIssue[], prefix: Array<string | number> = []) => {
    for (const i of flatten(issues, prefix)) problems.push({ path: formatPath(i.path), ...where(i.path), message: i.message });
  };
  const parsed = testFileSchema.safeParse(yaml.value ?? {}, { reportInput: true });
  if (!parsed.success) {
    add(parsed.error.issues);
    return { problems: sortProblems(problems) };
  }
  const cases: ParsedTests['cases'] = [];
  const seen = new Map<string, number>();
  parsed.data.cases.forEach((raw, index) => {
    const c = caseSchema.safeParse(raw, { reportInput: true });
    if (!c.success) {
      add(c.error.issues, ['cases', index]);
      return cases.push({ index, raw });
    }
    if (seen.has(c.data.name)) {
      problems.push({ path: `cases[${index}].name`, ...where(['cases', index, 'name']), message: `"${c.data.name}" is already the name of cases[${seen.get(c.data.name)}]` });
    }
    seen.set(c.data.name, index);
    cases.push({ index, case: c.data, raw });
  });
  const { cases: _all, ...file } = parsed.data;
  return { tests: { file, cases, where }, problems: sortProblems(problems) };
}

/**
 * Checks the cases against the policy — also the parts of a case whose other fields are wrong, so
 * one run lists every problem. Each valid case becomes an offline input, in file order.
 */
export function bindCases(tests: ParsedTests, policy: Policy): { inputs: Array<{ case: TestCase; input: OfflineInput }>; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const problem = (path: Array<string | number>, message: string) => problems.push({ path: formatPath(path), ...tests.where(path), message });
  const ruleNames = new Set<string>([...policy.rules.map((r) => r.name), ...RESERVED_RULE_NAMES]);
  const inputs: Array<{ case: TestCase; input: OfflineInput }> = [];
  for (const { index, case: valid, raw } of tests.cases) {
    const at = (...rest: Array<string | number>) => ['cases', index, ...rest];
    const c = (isRecord(raw) ? raw : {}) as Partial<Record<keyof TestCase, unknown>>;
    const before = problems.length;
    let claims: Record<string, unknown> | undefined;
    if (c.principal === undefined) problem(at('principal'), 'is required: a name from principals, or the token\'s claims (sub, groups…)');
    else if (typeof c.principal === 'string') {
      claims = tests.file.principals?.[c.principal];
      if (!claims) problem(at('principal'), `no principal is named "${c.principal}" under principals`);
    } else if (isRecord(c.principal)) claims = c.principal;
    if (claims?.iss !== undefined && !policy.issuers.some((issuer) => issuer.issuer === claims.iss)) {
      problem(at('principal'), `iss ${JSON.stringify(claims.iss)} is not an issuer of the policy (${policy.issuers.map((x) => x.issuer).join(', ')})`);
    }
    const connection = typeof c.connection === 'string' ? policy.connections.get(c.connection) : undefined;
    if (typeof c.connection === 'string' && !connection) {
      problem(at('connection'), `the policy has no connection named "${c.connection}" (${[...policy.connections.keys()].join(', ')})`);
    }
    if (connection && isRecord(c.request)) {
      const schema = offlineRequestSchema(connection.config.kind);
      if (!schema) problem(at('request'), `${connection.config.kind} connections have no request shape for offline tests yet`);
      else {
        const parsed = schema.safeParse(c.request, { reportInput: true });
        if (!parsed.success) for (const issue of flatten(parsed.error.issues, at('request'))) problem(issue.path, `${issue.message} (${connection.config.kind} request)`);
      }
    }
    const expect = isRecord(c.expect) ? c.expect : {};
    if (typeof expect.rule === 'string') {
      if (expect.action === 'refused') problem(at('expect', 'rule'), 'a refused request is not decided by a rule; give problem: TYPE instead');
      else if (!ruleNames.has(expect.rule)) problem(at('expect', 'rule'), `the policy has no rule named "${expect.rule}"`);
    }
    if (expect.problem !== undefined && expect.action !== 'refused') problem(at('expect', 'problem'), 'only applies when action is refused');
    if (valid && claims && problems.length === before) inputs.push({ case: valid, input: { claims, connection: valid.connection, request: valid.request } });
  }
  return { inputs, problems: sortProblems(problems) };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
