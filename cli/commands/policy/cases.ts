// Policy test files: cases that each name a principal (a token's claims), a connection, a request
// in that connection kind's terms, and what the policy should do with it. Validated in two passes
// that report together — the file's own shape, then against the policy (connections, the request
// shape of each connection's kind, rule names) — every problem with file:line:column.
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { claimsSchema, offlineRequestSchema, type OfflineInput } from '../../../shared/gateway/offline.js';
import type { Policy } from '../../../shared/policy/compile.js';
import { flatten, formatPath, locate, sortProblems, type PolicyProblem } from '../../../shared/policy/load.js';
import { RESERVED_RULE_NAMES } from '../../../shared/policy/schema.js';

export const EXPECTED = ['allow', 'deny', 'review', 'refused'] as const;

const caseSchema = z.strictObject({
  name: z.string().min(1),
  principal: z.union([z.string().min(1), claimsSchema]).describe('a name from principals, or the token\'s claims (sub, iss, groups…)'),
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
  cases: z.array(caseSchema).min(1, 'at least one case is required'),
});

export type TestFile = z.infer<typeof testFileSchema>;
export type TestCase = z.infer<typeof caseSchema>;

export interface ParsedTests {
  file: TestFile;
  /** line:column of a path in the file, for problems found later. */
  where(path: Array<string | number>): { line?: number; column?: number };
}

export function parseTestFile(text: string): { ok: true; tests: ParsedTests } | { ok: false; problems: PolicyProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: '', line: pos.line, column: pos.col, message: e.message.split('\n')[0]! };
      }),
    };
  }
  const where = (path: Array<string | number>) => locate(doc, lineCounter, path);
  const parsed = testFileSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!parsed.success) {
    return { ok: false, problems: sortProblems(flatten(parsed.error.issues).map((i) => ({ path: formatPath(i.path), ...where(i.path), message: i.message }))) };
  }
  const problems: PolicyProblem[] = [];
  const seen = new Map<string, number>();
  parsed.data.cases.forEach((c, i) => {
    if (seen.has(c.name)) problems.push({ path: `cases[${i}].name`, ...where(['cases', i, 'name']), message: `"${c.name}" is already the name of cases[${seen.get(c.name)}]` });
    seen.set(c.name, i);
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, tests: { file: parsed.data, where } };
}

/** Checks the cases against the policy; every case that passes becomes an offline input. */
export function bindCases(tests: ParsedTests, policy: Policy): { inputs: OfflineInput[]; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const problem = (path: Array<string | number>, message: string) => problems.push({ path: formatPath(path), ...tests.where(path), message });
  const ruleNames = new Set<string>([...policy.rules.map((r) => r.name), ...RESERVED_RULE_NAMES]);
  const inputs = tests.file.cases.map((c, i): OfflineInput => {
    const at = (...rest: Array<string | number>) => ['cases', i, ...rest];
    let claims: Record<string, unknown> = {};
    if (typeof c.principal === 'string') {
      const named = tests.file.principals?.[c.principal];
      if (named) claims = named;
      else problem(at('principal'), `no principal is named "${c.principal}" under principals`);
    } else claims = c.principal;
    if (claims.iss !== undefined && !policy.issuers.some((issuer) => issuer.issuer === claims.iss)) {
      problem(at('principal'), `iss ${JSON.stringify(claims.iss)} is not an issuer of the policy (${policy.issuers.map((x) => x.issuer).join(', ')})`);
    }
    const connection = policy.connections.get(c.connection);
    if (!connection) problem(at('connection'), `the policy has no connection named "${c.connection}" (${[...policy.connections.keys()].join(', ')})`);
    else {
      const schema = offlineRequestSchema(connection.config.kind);
      if (!schema) problem(at('request'), `${connection.config.kind} connections have no request shape for offline tests yet`);
      else {
        const parsed = schema.safeParse(c.request, { reportInput: true });
        if (!parsed.success) for (const issue of flatten(parsed.error.issues, at('request'))) problem(issue.path, `${issue.message} (in a ${connection.config.kind} request)`);
      }
    }
    if (c.expect.rule !== undefined && c.expect.action === 'refused') problem(at('expect', 'rule'), 'a refused request is not decided by a rule; give problem: TYPE instead');
    else if (c.expect.rule !== undefined && !ruleNames.has(c.expect.rule)) problem(at('expect', 'rule'), `the policy has no rule named "${c.expect.rule}"`);
    if (c.expect.problem !== undefined && c.expect.action !== 'refused') problem(at('expect', 'problem'), 'only applies when action is refused');
    return { claims, connection: c.connection, request: c.request };
  });
  return { inputs, problems: sortProblems(problems) };
}
