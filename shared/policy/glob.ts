// Globs in rules. Paths: `*` stays within one segment and `**` crosses segments. Claims in allow
// rules: `*` stays between `/` and `@`, `**` crosses `/` but never `@`, so that
// `my-org/infra/**@refs/heads/main` cannot be met by a branch named `evil@refs/heads/main` (a valid
// git branch name). Everything else (connections, subjects, claims in deny and review rules,
// actions, resources): `*` matches anything, which is what `Microsoft.Storage/*/listKeys/action`
// needs. All: `?` one character, `[abc]`/`[a-z]`/`[!x]` one of a set, `{a,b}` either alternative,
// `\` makes the next character literal. A glob that does not close a `[` or a `{` is a problem, not
// a pattern matched literally (a deny rule that silently never matches).

import { RE2JS } from 're2js';

/** A glob that cannot be read; the policy compiler reports it at the glob's path. */
export class GlobError extends Error {
  override name = 'GlobError';
}

interface Flavour {
  /** What `*` becomes. */
  star: string;
  /** What `**` becomes (paths: also the bare prefix of a trailing `/**`). */
  globstar: string;
  /** What a single-character wildcard matches (not `/` in paths). */
  within: string;
  /** What a set may not match, as a lookahead: `(?!/)` in paths. */
  notInSet: string;
  paths: boolean;
}

const PATH: Flavour = { star: '[^/]*', globstar: '.*', within: '[^/]', notInSet: '(?!/)', paths: true };
const TEXT: Flavour = { star: '.*', globstar: '.*', within: '.', notInSet: '', paths: false };
const CLAIM: Flavour = { star: '[^/@]*', globstar: '[^@]*', within: '[^/@]', notInSet: '(?![/@])', paths: false };

/**
 * `loose` (deny and review rules): also `/Admin` for `/admin`, and with or without a trailing `/`
 * (Express, ASP.NET and many others route `/admin/users/` to `/admin/users`), so that such a rule
 * never covers less than the upstream serves under its path. Allow rules stay exact.
 */
export function pathGlob(glob: string, loose = false): RegExp {
  const source = translate(glob, PATH);
  return loose ? new RegExp(`^${source.replace(/\/$/, '')}/?$`, 'i') : new RegExp(`^${source}$`);
}

export function textGlob(glob: string, caseInsensitive = false): RegExp {
  return new RegExp(`^${translate(glob, TEXT)}$`, caseInsensitive ? 'is' : 's');
}

/** A claim glob of an allow rule: `*` within `/` and `@`, `**` across `/` but not `@`. */
export function claimGlob(glob: string): RegExp {
  return new RegExp(`^${translate(glob, CLAIM)}$`, 's');
}

/** Throws a GlobError when the glob is not well formed; otherwise nothing. */
export function checkGlob(glob: string): void {
  translate(glob, TEXT);
}

function translate(glob: string, flavour: Flavour): string {
  const state = { i: 0 };
  const source = sequence(glob, state, flavour, 0);
  if (state.i < glob.length) throw new GlobError(`"${glob[state.i]}" at position ${state.i + 1} has no opening "{"`);
  return source;
}

/** Reads up to the end, or (inside braces) up to the `,` or `}` that ends an alternative. */
function sequence(glob: string, state: { i: number }, flavour: Flavour, depth: number): string {
  let source = '';
  while (state.i < glob.length) {
    const c = glob[state.i]!;
    if (depth > 0 && (c === ',' || c === '}')) return source;
    if (c === '}') return source;
    state.i++;
    if (c === '\\') {
      if (state.i >= glob.length) throw new GlobError('ends with a lone "\\"');
      source += escape(glob[state.i++]!);
    } else if (c === '*' && glob[state.i] === '*') {
      state.i++;
      if (!flavour.paths) source += flavour.globstar;
      else if (source.endsWith('/') && (state.i === glob.length || glob[state.i] === '/')) {
        // `/**` also matches the bare prefix: `/repos/**` matches `/repos`.
        source = `${source.slice(0, -1)}(?:/.*)?`;
        if (glob[state.i] === '/') (state.i++, (source += '/'));
      } else source += flavour.globstar;
    } else if (c === '*') source += flavour.star;
    else if (c === '?') source += flavour.within;
    else if (c === '[') source += characterClass(glob, state, flavour);
    else if (c === '{') source += alternatives(glob, state, flavour, depth);
    else if (c === ']') throw new GlobError(`"]" at position ${state.i} has no opening "["`);
    else source += escape(c);
  }
  return source;
}

function characterClass(glob: string, state: { i: number }, flavour: Flavour): string {
  const start = state.i - 1;
  let negate = false;
  if (glob[state.i] === '!' || glob[state.i] === '^') (negate = true), state.i++;
  let body = '';
  // A `]` right after the opening is a member, as in shell globs.
  if (glob[state.i] === ']') (body += '\\]'), state.i++;
  while (state.i < glob.length && glob[state.i] !== ']') {
    const c = glob[state.i++]!;
    if (c === '\\' && state.i < glob.length) body += `\\${glob[state.i++]}`;
    else body += c === '-' ? '-' : c.replace(/[\\^[\]]/g, '\\$&');
  }
  if (state.i >= glob.length) throw new GlobError(`"[" at position ${start + 1} has no closing "]"`);
  state.i++;
  if (body === '') throw new GlobError(`"[]" at position ${start + 1} is an empty set`);
  const set = `[${negate ? '^' : ''}${body}]`;
  try {
    new RegExp(set);
  } catch {
    throw new GlobError(`"${glob.slice(start, state.i)}" at position ${start + 1} is not a valid set`);
  }
  // One character of the set, never a path's `/` (or a claim's `/` or `@`).
  return `${flavour.notInSet}${set}`;
}

function alternatives(glob: string, state: { i: number }, flavour: Flavour, depth: number): string {
  const start = state.i - 1;
  const options: string[] = [];
  for (;;) {
    options.push(sequence(glob, state, flavour, depth + 1));
    const c = glob[state.i];
    if (c === undefined) throw new GlobError(`"{" at position ${start + 1} has no closing "}"`);
    state.i++;
    if (c === '}') break;
  }
  return `(?:${options.join('|')})`;
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A compiled policy regular expression: only ever tested against a text. */
export interface TextPattern {
  readonly source: string;
  test(text: string): boolean;
}

/**
 * A policy regular expression (query, headers, body): RE2 syntax, which is JavaScript's for
 * everything but lookarounds and backreferences, with a leading (?i) for case-insensitive.
 * Matched by RE2JS in time linear in the text (an automaton, no backtracking), so that no
 * pattern, `(a+)+$` or `a.*b` on a long prompt, can hold the event loop. A pattern RE2 cannot
 * run in linear time (a lookaround, a backreference) throws, and the policy is refused.
 */
export function policyRegExp(source: string): TextPattern {
  const re = RE2JS.compile(source);
  return { source, test: (text) => re.test(text) };
}
