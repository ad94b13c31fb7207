// The small JSON path the `arguments` match uses: `$`, then `.name`, `["name"]`, `[n]`, `[*]` or
// `.*` steps. Nothing else (no filters, no recursion): a rule says exactly which value it reads.
export type JsonPathStep = { key: string } | { index: number } | { any: true };

const STEP = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[\*\]|\.\*|\["((?:[^"\\]|\\.)*)"\]/y;

/** The steps of a path the schema has already checked (JSON_PATH). */
export function parseJsonPath(path: string): JsonPathStep[] {
  const steps: JsonPathStep[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const m = STEP.exec(path);
    if (!m) throw new Error(`not a JSON path: ${path}`);
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ key: JSON.parse(`"${m[3]}"`) as string });
    else steps.push({ any: true });
  }
  return steps;
}

/** Every value the path selects in `value` (none when a step does not apply). */
export function selectJsonPath(value: unknown, steps: readonly JsonPathStep[]): unknown[] {
  let current: unknown[] = [value];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (typeof v !== 'object' || v === null) continue;
      if ('any' in step) next.push(...(Array.isArray(v) ? v : Object.values(v)));
      else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if (!Array.isArray(v) && Object.hasOwn(v, step.key)) next.push((v as Record<string, unknown>)[step.key]);
    }
    current = next;
  }
  return current;
}

/** The text a pattern is matched against: strings as they are, everything else as JSON. */
export const jsonPathText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? 'null');
