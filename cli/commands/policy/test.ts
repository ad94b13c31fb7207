// `portcullis policy test POLICY TESTS… [--junit FILE]`: runs each case of the test files through
// the gateway's own classifiers and guard, offline. Exit 0 when every case passes, 1 when one
// fails, 2 on bad input (usage, or a problem in the policy or a test file: all listed at once).
import { resolve } from 'node:path';
import { judgeOffline, type OfflineOutcome } from '../../../shared/gateway/offline.js';
import { formatProblems, sortProblems } from '../../../shared/policy/load.js';
import { parseDocumentedArgs, type Help } from '../../args.js';
import { UsageError, writeOutputFile, type Command } from '../../io.js';
import { bindCases, parseTestFile, type TestCase } from './cases.js';
import { junitXml, type CaseResult } from './junit.js';
import { loadPolicyFile, plural, policyFlags, policyOptions, policySettings, readSource } from './policy-file.js';

const options = { ...policyOptions, junit: { type: 'string' as const } };

export const help: Help<typeof options> = {
  usage: 'portcullis policy test POLICY TESTS… [--junit FILE] [--env ENV] [--var NAME=VALUE]…',
  about: 'Runs the test cases of each TESTS file (YAML) against the policy: each case names a request and the decision expected (exit 1 when one fails). See docs/policy-testing.md.',
  flags: { ...policyFlags, junit: ['FILE', 'also write the results as JUnit XML (for CI)'] },
};

export const run: Command = async (args, io) => {
  const { values, positionals } = parseDocumentedArgs(args, options, help, { positionals: Infinity });
  const [policyFile, ...testFiles] = positionals;
  if (!policyFile || testFiles.length === 0) throw new UsageError('expected the policy and at least one test file: policy test POLICY TESTS…');
  const settings = policySettings(values, io);

  const reports: string[] = [];
  let problems = 0;
  const report = (text: string, count: number) => {
    if (count === 0) return;
    reports.push(text);
    problems += count;
  };
  const suites: Array<{ shown: string; run: () => Promise<CaseResult[]> }> = [];
  for (const testFile of testFiles) {
    const { bytes, shown } = await readSource(testFile, io);
    const parsed = parseTestFile(bytes);
    const found = [...parsed.problems];
    const tests = parsed.tests;
    if (!tests) {
      report(formatProblems(found, shown), found.length);
      continue;
    }
    const loaded = await loadPolicyFile(policyFile, io, settings, tests.file.variables);
    if (!loaded.ok) {
      report(formatProblems(found, shown), found.length);
      // The same policy problems would repeat for every test file.
      if (!reports.includes(loaded.report)) report(loaded.report, loaded.count);
      continue;
    }
    const bound = bindCases(tests, loaded.policy);
    found.push(...bound.problems);
    if (found.length > 0) {
      report(formatProblems(sortProblems(found), shown), found.length);
      continue;
    }
    suites.push({
      shown,
      run: () =>
        Promise.all(
          bound.inputs.map(async ({ case: c, input }) => {
            const started = performance.now();
            const outcome = await judgeOffline(loaded.policy, input);
            return { file: shown, name: c.name, ...verdict(c, outcome), seconds: (performance.now() - started) / 1000 };
          }),
        ),
    });
  }
  if (problems > 0) {
    io.stdout.write(`${reports.join('\n')}\n${plural(problems, 'problem')}; no case was run\n`);
    return 2;
  }

  const results: CaseResult[] = [];
  for (const suite of suites) results.push(...(await suite.run()));
  for (const r of results) io.stdout.write(`${r.passed ? 'pass' : 'FAIL'}  ${r.file}  ${r.name}  ${r.passed ? r.actual : `expected ${r.expected}, got ${r.actual}`}\n`);
  const failed = results.filter((r) => !r.passed).length;
  io.stdout.write(`${plural(results.length, 'case')}: ${results.length - failed} passed, ${failed} failed\n`);
  if (values.junit) await writeOutputFile(resolve(io.cwd, values.junit), junitXml(results, `policy test ${policyFile}`));
  return failed > 0 ? 1 : 0;
};

function verdict(c: TestCase, outcome: OfflineOutcome): { passed: boolean; expected: string; actual: string } {
  const e = c.expect;
  const expected = e.action === 'refused' ? `refused${e.problem ? ` (${e.problem})` : ''}` : `${e.action}${e.rule ? ` by ${e.rule}` : ''}`;
  if (outcome.outcome === 'refused') {
    const actual = `refused (${outcome.refusal.type}: ${outcome.refusal.detail})`;
    return { passed: e.action === 'refused' && (e.problem === undefined || e.problem === outcome.refusal.type), expected, actual };
  }
  const { action, rule } = outcome.decision;
  const actual = `${action} by ${rule}`;
  return { passed: e.action === action && (e.rule === undefined || e.rule === rule), expected, actual };
}
