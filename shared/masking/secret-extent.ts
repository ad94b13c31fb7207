// Whether a rule's secret can hold whitespace, read from its (JavaScript) regex source. A stream
// holds back from each keyword hit of a rule whose secret may span whitespace, up to the rule's
// reach; a rule whose secret cannot (most of gitleaks' rules: the secret is one token after a
// name and a separator) needs only the last word held, its keyword staying in the stream's
// context. Conservative: any class, escape or literal of the secret's group that can match a
// space, tab or line end counts, lookarounds included.

const WHITESPACE = [' ', '\t', '\n', '\r', '\v', '\f'];

/** The sources of the capture groups that may hold the secret (the whole source when none does). */
function secretSources(source: string, secretGroup: number | undefined): string[] {
  if (secretGroup === 0) return [source];
  const opens: number[] = [];
  const groups: { start: number; end: number }[] = [];
  const stack: (number | undefined)[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(source, i) - 1;
    else if (c === '(') {
      const capture = source[i + 1] !== '?' || (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!');
      if (capture) opens.push(i);
      stack.push(capture ? opens.length - 1 : undefined);
    } else if (c === ')') {
      const index = stack.pop();
      if (index !== undefined) groups[index] = { start: opens[index]!, end: i + 1 };
    }
  }
  if (groups.length === 0) return [source];
  const wanted = secretGroup === undefined ? groups : [groups[secretGroup - 1]];
  return wanted.filter((g) => g !== undefined).map((g) => source.slice(g!.start, g!.end));
}

/** Offset just past the class that opens at `at`. */
function classEnd(source: string, at: number): number {
  let i = at + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  for (; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
  return i + 1;
}

const matchesWhitespace = (token: string, flags: string) => {
  const regex = new RegExp(token, flags.replace(/[gyd]/g, ''));
  return WHITESPACE.some((w) => regex.test(w));
};

/** Whether the secret of a rule with this regex (and secret group, as RegexRule has it) may hold whitespace. */
export function secretMayHoldWhitespace(regex: RegExp, secretGroup?: number): boolean {
  for (const source of secretSources(regex.source, secretGroup)) {
    for (let i = 0; i < source.length; i++) {
      const c = source[i]!;
      if (c === '[') {
        const end = classEnd(source, i);
        if (matchesWhitespace(source.slice(i, end), regex.flags)) return true;
        i = end - 1;
      } else if (c === '\\') {
        const next = source[i + 1];
        const length = next === 'x' ? 4 : next === 'u' ? 6 : next === 'c' ? 3 : 2;
        const escape = source.slice(i, i + length);
        if (/^\\[bBk1-9]/.test(escape) ? false : matchesWhitespace(escape, regex.flags)) return true;
        i += length - 1;
      } else if (c === '.' || WHITESPACE.includes(c)) {
        return true;
      }
    }
  }
  return false;
}
