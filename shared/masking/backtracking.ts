// Rules run in V8's backtracking engine (RE2 syntax is translated, re2.ts). Windows around keyword
// hits bound what a rule reads (engine.ts), but not what a nested repetition does inside one:
// `(a+)+$` tries every way to split a run of `a`, twice as many for each one more, and 30
// characters hold the event loop for a second. RE2, gitleaks' engine, has no such case; none of
// gitleaks' own rules repeats a repetition more than 5 times. A rule from a policy or a pack that
// does is refused. (Allowlists are not checked: they read only a secret a rule found, and
// gitleaks' own repeats `(?:\.[A-Za-z]\w+)+`, whose dots keep it from splitting a run two ways.)

const MAX_BOUNDED_REPEATS = 5;

/** The first group repeated more than a few times that holds an unbounded repetition, as written; undefined when there is none. */
export function nestedRepetition(source: string): string | undefined {
  // For each open group: where it starts, and whether it holds an unbounded repetition.
  const open: Array<{ start: number; repeats: boolean }> = [{ start: 0, repeats: false }];
  let last: { start: number; repeats: boolean } | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      last = undefined;
    } else if (c === '[') {
      i = classEnd(source, i);
      last = undefined;
    } else if (c === '(') {
      open.push({ start: i, repeats: false });
      last = undefined;
    } else if (c === ')') {
      const group = open.pop();
      if (!group || open.length === 0) return undefined;
      last = { start: group.start, repeats: group.repeats };
      if (group.repeats) open[open.length - 1]!.repeats = true;
    } else if (c === '*' || c === '+' || c === '{') {
      const quantifier = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i)) : undefined;
      if (c === '{' && !quantifier) {
        last = undefined;
        continue;
      }
      // At most how many times the atom before repeats.
      const max = !quantifier ? Infinity : quantifier[2] === undefined ? Number(quantifier[1]) : quantifier[3] === '' ? Infinity : Number(quantifier[3]);
      // A few repeats of a group are a polynomial of low degree, which the windows bound
      // (gitleaks' curl rules repeat a line up to 5 times); more, or without bound, are not.
      const many = max > MAX_BOUNDED_REPEATS;
      const unbounded = max === Infinity;
      if (last?.repeats && many) return source.slice(last.start, i + (quantifier ? quantifier[0].length : 1));
      if (unbounded) open[open.length - 1]!.repeats = true;
      if (quantifier) i += quantifier[0].length - 1;
      last = undefined;
    } else {
      last = undefined;
    }
  }
  return undefined;
}

/** The index of the `]` that closes the class opened at `at` (RE2 and JS: `]` first is literal only in RE2, escaped in the translation). */
function classEnd(source: string, at: number): number {
  let i = at + 1;
  if (source[i] === '^') i++;
  for (; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
  return i;
}

/** Why a rule's RE2 pattern is refused for backtracking; undefined when it is not. */
export function backtrackingReason(pattern: string): string | undefined {
  const nested = nestedRepetition(pattern);
  return nested === undefined ? undefined : `the repetition ${JSON.stringify(nested)} repeats a part that repeats itself, which can take time exponential in the text; repeat the inner part once, or bound it`;
}
