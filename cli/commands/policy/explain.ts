// `portcullis policy explain POLICY (--case FILE[:NAME] | --connection C --sub S [request flags])`:
// one request judged offline, with every rule, whether it matched, the first field that did not
// and why, then the decision and why it won. Exit 0 once explained, 2 on bad input.
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { judgeOffline } from '../../../shared/gateway/offline.js';
import { explain, type Explanation } from '../../../shared/guard/explain.js';
import { parseCommandArgs, parseDocumentedArgs, type Help } from '../../args.js';
import { UsageError, type CliIo, type Command } from '../../io.js';
import { bindCases, parseTestFile, type TestFile } from './cases.js';
import { loadPolicyFile, plural, policyFlags, policyOptions, policySettings, readSource } from './policy-file.js';

const options = {
  ...policyOptions,
  case: { type: 'string' as const },
  json: { type: 'boolean' as const },
  connection: { type: 'string' as const },
  sub: { type: 'string' as const },
  iss: { type: 'string' as const },
  groups: { type: 'string' as const },
  claim: { type: 'string' as const, multiple: true as const, default: [] as string[] },
  method: { type: 'string' as const },
  path: { type: 'string' as const },
  query: { type: 'string' as const },
  header: { type: 'string' as const, multiple: true as const, default: [] as string[] },
  body: { type: 'string' as const },
  sql: { type: 'string' as const },
  param: { type: 'string' as const, multiple: true as const, default: [] as string[] },
};

export const help: Help<typeof options> = {
  usage: 'portcullis policy explain POLICY (--case FILE[:NAME] | --connection NAME --sub SUBJECT [--groups a,b] …) [--json]',
  about: 'Shows how the policy judges one request: the operation it is classified as, every rule that matches or not and why, and the decision.',
  flags: {
    ...policyFlags,
    case: ['FILE[:NAME]', 'a test case from a policy test file (the first, or the one named)'],
    json: 'the explanation as JSON',
    connection: ['NAME', 'the connection the request is on (a request given on the command line)'],
    sub: ['SUBJECT', 'the caller\'s subject'],
    iss: ['ISSUER', 'the caller\'s issuer (default: the policy\'s first)'],
    groups: ['a,b', 'the caller\'s groups'],
    claim: ['NAME=VALUE', 'another claim of the caller'],
    method: ['METHOD', 'the HTTP method (http, openai, arm connections)'],
    path: ['PATH', 'the path on the connection'],
    query: ['QUERY', 'the query string'],
    header: ['NAME:VALUE', 'a request header'],
    body: ['TEXT', 'the request body'],
    sql: ['SQL', 'the statement (postgres connections)'],
    param: ['VALUE', 'a statement parameter, in order'],
  },
};

type Values = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

export const run: Command = async (args, io) => {
  const { values, positionals } = parseDocumentedArgs(args, options, help, { positionals: 1 });
  const policyFile = positionals[0];
  if (!policyFile) throw new UsageError('expected the policy file: policy explain POLICY --case FILE[:NAME] | --connection NAME --sub SUBJECT …');
  const settings = policySettings(values, io);
  const { tests, shown } = values.case !== undefined ? await caseFile(values.case, values, io) : { tests: inlineCase(values), shown: '(command line)' };

  const loaded = await loadPolicyFile(policyFile, io, settings, tests.variables);
  if (!loaded.ok) return problems(io, loaded.report, loaded.count);
  const parsed = parseTestFile(JSON.stringify(tests));
  const bound = parsed.tests ? bindCases(parsed.tests, loaded.policy) : { inputs: [], problems: [] };
  const found = [...parsed.problems, ...bound.problems];
  // Positions in the re-serialized case mean nothing to the reader: only the paths are shown.
  if (found.length > 0) return problems(io, found.map((p) => `${shown}  ${p.path}  ${p.message}`).join('\n'), found.length);

  const outcome = await judgeOffline(loaded.policy, bound.inputs[0]!.input);
  if (outcome.outcome === 'refused') {
    const { type, detail, status } = outcome.refusal;
    if (values.json) io.stdout.write(`${JSON.stringify({ refused: { status, type, detail } }, null, 2)}\n`);
    else io.stdout.write(`refused before any rule (${status} ${type}): ${detail}\n`);
    return 0;
  }
  const { principal, connection, operation } = outcome;
  const explanation = explain(principal, connection, operation, loaded.policy);
  if (values.json) {
    const op = { kind: operation.kind, summary: operation.summary, actions: operation.actions, resources: operation.resources, flags: operation.flags };
    io.stdout.write(`${JSON.stringify({ principal: { subject: principal.subject, issuer: principal.issuer, kind: principal.kind, groups: principal.groups }, connection: connection.name, operation: op, ...explanation }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(
    [
      `principal  ${principal.subject} (${principal.kind}, groups [${principal.groups.join(', ')}]) from ${principal.issuer}`,
      `operation  ${operation.summary} on ${connection.name}`,
      `           actions [${operation.actions.join(', ')}]  resources [${operation.resources.join(', ')}]  flags [${operation.flags.join(', ')}]`,
      ...render(explanation),
    ].join('\n') + '\n',
  );
  return 0;
};

function render(e: Explanation): string[] {
  const lines: string[] = [];
  if (e.gate) lines.push(`gate       the connection is limited to [${e.gate.groups.join(', ')}]: ${e.gate.passed ? 'passed' : 'NOT passed'}`);
  lines.push(`rules      ${plural(e.rules.length, 'rule')}, ${e.rules.filter((r) => r.matched).length} matched`);
  const width = Math.max(0, ...e.rules.map((r) => r.name.length));
  for (const r of e.rules) {
    const mark = r.matched ? 'matched' : 'no     ';
    lines.push(`  ${mark}  ${r.name.padEnd(width)}  ${r.action.padEnd(6)}  ${r.matched ? '' : `${r.mismatch!.field}: ${r.mismatch!.why}`}`.trimEnd());
  }
  lines.push(`decision   ${e.decision.action} by ${e.decision.rule}: ${e.why}`);
  lines.push(`reason     ${e.decision.reason}`);
  return lines;
}

function problems(io: CliIo, report: string, count: number): number {
  io.stdout.write(`${report}\n${plural(count, 'problem')}\n`);
  return 2;
}

/** `FILE:NAME`, or `FILE` when it holds one case. */
async function caseFile(spec: string, values: Values, io: CliIo): Promise<{ tests: TestFile; shown: string }> {
  if (values.connection !== undefined || values.sub !== undefined) throw new UsageError('give --case or the request flags, not both');
  let file = spec;
  let name: string | undefined;
  // The longest prefix that is a file wins, so C:\x.yaml:name and names with colons both work.
  if (!(await exists(resolve(io.cwd, spec)))) {
    for (let at = spec.lastIndexOf(':'); at > 0; at = spec.lastIndexOf(':', at - 1)) {
      if (await exists(resolve(io.cwd, spec.slice(0, at)))) {
        [file, name] = [spec.slice(0, at), spec.slice(at + 1)];
        break;
      }
    }
  }
  const { bytes, shown } = await readSource(file, io);
  const parsed = parseTestFile(bytes);
  if (!parsed.tests || parsed.problems.length > 0) throw new UsageError(`${shown} has ${plural(parsed.problems.length, 'problem')}; policy test lists them`);
  const all = parsed.tests.cases.flatMap((c) => (c.case ? [c.case] : []));
  const chosen = name === undefined ? (all.length === 1 ? all[0] : undefined) : all.find((c) => c.name === name);
  if (!chosen) {
    const names = all.map((c) => `"${c.name}"`).join(', ');
    throw new UsageError(name === undefined ? `${shown} has ${all.length} cases; say which: --case ${file}:NAME (${names})` : `${shown} has no case named "${name}" (${names})`);
  }
  return { tests: { ...parsed.tests.file, cases: [chosen] }, shown: `${shown}:${chosen.name}` };
}

function inlineCase(v: Values): TestFile {
  if (!v.connection || !v.sub) throw new UsageError('give --case FILE[:NAME], or at least --connection NAME and --sub SUBJECT');
  const claims: Record<string, unknown> = { sub: v.sub };
  if (v.iss !== undefined) claims.iss = v.iss;
  if (v.groups !== undefined) claims.groups = v.groups.split(',').map((g) => g.trim()).filter(Boolean);
  for (const pair of v.claim) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--claim "${pair}" is not NAME=VALUE`);
    claims[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const headers: Record<string, string> = {};
  for (const pair of v.header) {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header "${pair}" is not NAME:VALUE`);
    headers[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  const has = (value: unknown) => value !== undefined;
  if (has(v.sql) && (has(v.method) || has(v.path) || has(v.query) || has(v.body))) throw new UsageError('--sql goes with --param, not with --method, --path, --query or --body');
  const request: Record<string, unknown> = has(v.sql)
    ? { sql: v.sql, ...(v.param.length ? { params: v.param } : {}) }
    : { method: v.method ?? 'GET', path: v.path ?? '/', ...(has(v.query) ? { query: v.query } : {}), ...(has(v.body) ? { body: v.body } : {}) };
  if (Object.keys(headers).length > 0) request.headers = headers;
  return { cases: [{ name: 'command line', principal: claims, connection: v.connection, request, expect: { action: 'allow' } }] };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
