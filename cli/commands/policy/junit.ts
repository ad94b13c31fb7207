// JUnit XML for CI systems that show test results (GitHub Actions reporters, Azure Pipelines):
// one testsuite per test file, one testcase per case, a failure element for each failed one.
export interface CaseResult {
  file: string;
  name: string;
  passed: boolean;
  expected: string;
  actual: string;
  seconds: number;
}

export function junitXml(results: CaseResult[], title: string): string {
  const files = [...new Set(results.map((r) => r.file))];
  const failures = results.filter((r) => !r.passed).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(title)}" tests="${results.length}" failures="${failures}">`,
  ];
  for (const file of files) {
    const mine = results.filter((r) => r.file === file);
    const time = mine.reduce((sum, r) => sum + r.seconds, 0);
    lines.push(`  <testsuite name="${xml(file)}" tests="${mine.length}" failures="${mine.filter((r) => !r.passed).length}" errors="0" skipped="0" time="${time.toFixed(3)}">`);
    for (const r of mine) {
      const open = `    <testcase classname="${xml(file)}" name="${xml(r.name)}" time="${r.seconds.toFixed(3)}"`;
      if (r.passed) lines.push(`${open}/>`);
      else {
        lines.push(`${open}>`);
        lines.push(`      <failure message="${xml(`expected ${r.expected}, got ${r.actual}`)}" type="policy">expected: ${xml(r.expected)}\nactual: ${xml(r.actual)}</failure>`);
        lines.push('    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

// XML 1.0 cannot carry most control characters even escaped: they are dropped.
const xml = (text: string) =>
  text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
