// What a reviewer reads about a changed tool: its description, input schema and annotations, the
// pinned version against the new one, line by line (`-` pinned, `+` new). Unmasked here; the
// approval masks it like any held request body.

const FIELDS = ['description', 'inputSchema', 'annotations'] as const;
/** Beyond this many line pairs the diff shows both versions whole rather than compute a common part. */
const MAX_CELLS = 250_000;

export function toolDiff(tool: string, before: string | undefined, after: string): string {
  const next = JSON.parse(after) as Record<string, unknown>;
  const previous = before ? (JSON.parse(before) as Record<string, unknown>) : undefined;
  const out: string[] = [];
  if (!previous) {
    out.push(`The pinned version of "${tool}" is not known here (declared before it was listed, or too large to keep); the new version in full:`);
  }
  for (const field of FIELDS) {
    const a = previous ? lines(previous[field]) : [];
    const b = lines(next[field]);
    if (previous && a.join('\n') === b.join('\n')) {
      out.push(`${field}: unchanged`);
      continue;
    }
    out.push(`${field}:`, ...diffLines(a, b));
  }
  return out.join('\n');
}

function lines(value: unknown): string[] {
  if (value === undefined) return ['(none)'];
  if (typeof value === 'string') return value.split('\n');
  return JSON.stringify(value, null, 2).split('\n');
}

/** A line diff over the longest common subsequence. */
export function diffLines(a: string[], b: string[]): string[] {
  if (a.length * b.length > MAX_CELLS) return [...a.map((l) => `- ${l}`), ...b.map((l) => `+ ${l}`)];
  // common[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      out.push(`- ${a[i++]}`);
    } else {
      out.push(`+ ${b[j++]}`);
    }
  }
  return out;
}
