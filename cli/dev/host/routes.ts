// Route templates as Azure Functions reads them: literal segments, `{name}`, optional `{name?}`,
// constraints after a colon (`{id:guid}`, not enforced here) and a final catch-all `{*rest}`.
// When several templates match, the most specific wins (literals before parameters before
// catch-alls), as in ASP.NET routing.

type Segment = { literal: string } | { param: string; optional: boolean } | { catchAll: string };

export interface CompiledRoute<T> {
  template: string;
  segments: Segment[];
  value: T;
}

export function compileRoute<T>(template: string, value: T): CompiledRoute<T> {
  const parts = template.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
  const segments = parts.map((part, i): Segment => {
    const match = /^\{(\*)?([A-Za-z_]\w*)(?::[^}?]*)?(\?)?\}$/.exec(part);
    if (!match) {
      if (part.includes('{') || part.includes('}')) throw new Error(`route "${template}": bad segment "${part}"`);
      return { literal: part.toLowerCase() };
    }
    if (match[1]) {
      if (i !== parts.length - 1) throw new Error(`route "${template}": a catch-all must be the last segment`);
      return { catchAll: match[2]! };
    }
    return { param: match[2]!, optional: Boolean(match[3]) };
  });
  return { template, segments, value };
}

/** Literal segments first, then parameters, then catch-alls: higher sorts first. */
function specificity(route: CompiledRoute<unknown>): number[] {
  return route.segments.map((s) => ('literal' in s ? 3 : 'param' in s ? (s.optional ? 1 : 2) : 0));
}

export function sortBySpecificity<T>(routes: CompiledRoute<T>[]): CompiledRoute<T>[] {
  return [...routes].sort((a, b) => {
    const [sa, sb] = [specificity(a), specificity(b)];
    for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
      const diff = (sb[i] ?? -1) - (sa[i] ?? -1);
      if (diff !== 0) return diff;
    }
    return 0;
  });
}

/**
 * Matches a raw (still percent-encoded) path. Parameters are decoded, except that an encoded
 * slash or backslash stays encoded so a parameter can never smuggle a path separator.
 */
export function matchRoute<T>(route: CompiledRoute<T>, rawPath: string): Record<string, string> | undefined {
  const parts = rawPath.replace(/^\/+/, '').split('/');
  if (parts.length === 1 && parts[0] === '') parts.pop();
  const params: Record<string, string> = {};
  let i = 0;
  for (const segment of route.segments) {
    if ('catchAll' in segment) {
      params[segment.catchAll] = parts.slice(i).map(decodeSegment).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === '') {
      if ('param' in segment && segment.optional) continue;
      return undefined;
    }
    if ('literal' in segment) {
      if (decodeSegment(part).toLowerCase() !== segment.literal) return undefined;
    } else {
      params[segment.param] = decodeSegment(part);
    }
    i++;
  }
  return i === parts.length ? params : undefined;
}

function decodeSegment(part: string): string {
  // Most segments have no escape: every route is tried in turn, on every request.
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part.replace(/%(2f|5c)/gi, '%25$1'));
  } catch {
    return part;
  }
}
