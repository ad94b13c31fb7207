// Globs in rules. Paths: `*` stays within one segment and `**` crosses segments. Everything else
// (connections, subjects, claims, actions, resources): `*` matches anything, which is what
// `Microsoft.Storage/*/listKeys/action` needs. Both: `?` one character, `[abc]`/`[a-z]`/`[!x]` one
// of a set, `{a,b}` either alternative, `\` makes the next character literal. A glob that does not
// close a `[` or a `{` is a problem, not a pattern matched literally (a deny rule that silently
// never matches).

import { RE2JS } from 're2js';

/** A glob that cannot be read; the policy compiler reports it at the glob's path. */
export class GlobError extends Error {
  override name = 'GlobError';
}

interface Flavour {
  /** What `*` becomes. */
  star: string;
  /** What a single-character wildcard may not match (`/` in paths). */
  within: string;
  paths: boolean;
}

export function pathGlob(glob: string, caseInsensitive = false): RegExp {
  return new RegExp(`^${translate(glob, { star: '[^/]*', within: '[^/]', paths: true })}$`, caseInsensitive ? 'i' : '');
}

export function textGlob(glob: string, caseInsensitive = false): RegExp {
  return new RegExp(`^${translate(glob, { star: '.*', within: '.', paths: false })}$`, caseInsensitive ? 'is' : 's');
}

/** Throws a GlobError when the glob is not well formed; otherwise nothing. */
export function checkGlob(glob: string): void {
  translate(glob, { star: '.*', within: '.', paths: false });
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
      if (!flavour.paths) source += '.*';
      else if (source.endsWith('/') && (state.i === glob.length || glob[state.i] === '/')) {
        // `/**` also matches the bare prefix: `/repos/**` matches `/repos`.
        source = `${source.slice(0, -1)}(?:/.*)?`;
        if (glob[state.i] === '/') (state.i++, (source += '/'));
      } else source += '.*';
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
  // One character of the set, never a path's `/`.
  return flavour.paths ? `(?!/)${set}` : set;
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
