// Globs in rules. Paths: `*` stays within one segment and `**` crosses segments. Everything else
// (connections, subjects, claims, actions, resources): `*` matches anything, which is what
// `Microsoft.Storage/*/listKeys/action` needs.

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

/** A policy regular expression: JavaScript syntax, with a leading (?i) for case-insensitive. */
export function policyRegExp(source: string): RegExp {
  return source.startsWith('(?i)') ? new RegExp(source.slice(4), 'i') : new RegExp(source);
}
