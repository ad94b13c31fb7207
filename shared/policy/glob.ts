// Globs in rules. Paths: `*` stays within one segment and `**` crosses segments. Everything else
// (connections, subjects, claims, actions, resources): `*` matches anything, which is what
// `Microsoft.Storage/*/listKeys/action` needs.
import { RE2JS } from 're2js';

export function pathGlob(glob: string, caseInsensitive = false): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `/**` also matches the bare prefix: `/repos/**` matches `/repos`.
      if (source.endsWith('/') && (glob[i + 2] === undefined || glob[i + 2] === '/')) {
        source = source.slice(0, -1) + '(?:/.*)?';
        i += glob[i + 2] === '/' ? 2 : 1;
        if (glob[i] === '/') source += '/';
      } else {
        source += '.*';
        i++;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += escape(c);
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

export function textGlob(glob: string, caseInsensitive = false): RegExp {
  const source = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

const escape = (c: string) => c.replace(/[.+^${}()|[\]\\]/g, '\\$&');

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
