// Where an agent's request goes: the connection's upstream origin plus a normalized path. Anything
// that could walk out of the upstream — dot segments, encoded slashes or backslashes, absolute
// URLs, control characters — is refused rather than cleaned up, so what the guard judged is
// exactly what is sent.
import type { Connection } from './connection.js';
import { badPath } from './refusals.js';

export interface Target {
  /** Normalized path that rules match, always starting with `/`. */
  path: string;
  /** Raw query string including `?`, or ''. */
  search: string;
  /** The full upstream URL. */
  url: URL;
}


/**
 * `rawPath` is the still-encoded path after `/api/proxy/{connection}` (it may be empty).
 * The upstream's own base path is kept as a prefix: upstream `https://h/v1` + `/x` → `https://h/v1/x`.
 */
export function resolveTarget(upstream: string, rawPath: string, search: string): Target {
  if (/[\u0000-\u001f\u007f\\]/.test(rawPath)) throw badPath('control characters and backslashes are not allowed in the path');
  if (/%(2f|5c|00)/i.test(rawPath)) throw badPath('encoded slashes, backslashes and NUL are not allowed in the path');
  // Java servers read `..;/` as `..` and drop `;params`: what a rule matched would not be what runs.
  if (/;|%3b/i.test(rawPath)) throw badPath('path parameters (;) are not allowed in the path');
  // A leading slash here means `//` after the connection name: a scheme-relative URL.
  if (/^[a-z][a-z0-9+.-]*:/i.test(rawPath) || rawPath.startsWith('/')) {
    throw badPath('absolute URLs are not allowed; give a path on the connection\'s upstream');
  }
  const segments = rawPath.split('/').filter((s, i) => !(i === 0 && s === ''));
  // Many front ends merge `//`; refusing it keeps one spelling per path.
  if (segments.slice(0, -1).includes('')) throw badPath('empty path segments (//) are not allowed in the path');
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw badPath('the path is not valid percent-encoding');
    }
    if (decoded === '.' || decoded === '..') throw badPath('dot segments (. and ..) are not allowed in the path');
  }
  const path = '/' + segments.map(canonicalSegment).join('/');
  const base = new URL(upstream);
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = new URL(base.origin);
  url.pathname = prefix + path;
  url.search = search;
  // Belt and braces: whatever the URL parser made of it must still be on the upstream's origin and prefix.
  if (url.origin !== base.origin || !url.pathname.startsWith(prefix + '/')) throw badPath('the path leaves the connection\'s upstream');
  return { path, search: url.search, url };
}

/** One canonical spelling per segment, so `%41` and `A` are judged (and sent) alike. */
function canonicalSegment(segment: string): string {
  return encodeURIComponent(decodeURIComponent(segment)).replace(/%(?:40|3A|2C|3D|2B|24|21|27|28|29|2A)/gi, (m) =>
    decodeURIComponent(m),
  );
}

/**
 * Refuses a request target whose path has dot segments (`.` or `..`, any of their dots
 * percent-encoded) or backslashes, raw or encoded. Run on the raw request line, before a URL
 * parser resolves `a/../b` to `b` (and reads `\\` as `/`) and the guard judges a path the agent
 * never wrote.
 */
export function refuseDotSegments(requestTarget: string): void {
  const path = requestTarget.split(/[?#]/, 1)[0]!;
  if (/\\|%5c/i.test(path)) throw badPath('backslashes are not allowed in the path');
  for (const segment of path.split('/')) {
    const dots = segment.replace(/%2e/gi, '.');
    if (dots === '.' || dots === '..') throw badPath('dot segments (. and ..) are not allowed in the path');
  }
}

/**
 * Where a hosting front end keeps the request target as the client sent it. In Azure the App
 * Service front end and the Functions host resolve `a/../b` to `b` before the handler sees the
 * URL; these headers still carry the original, so the handler can refuse what the local host's
 * raw request line check refuses. A client that sets them itself can only get its own request
 * refused: the path judged is still the one forwarded.
 */
export const ORIGINAL_URL_HEADERS = ['x-waws-unencoded-url', 'x-original-url'] as const;

/** refuseDotSegments on the URL the handler got and on every original the front end kept. */
export function refuseDotSegmentsAsSent(url: string, headers: Headers): void {
  refuseDotSegments(url.replace(/^[a-z]+:\/\/[^/]+/i, ''));
  for (const name of ORIGINAL_URL_HEADERS) {
    const original = headers.get(name);
    if (original !== null) refuseDotSegments(original.replace(/^[a-z]+:\/\/[^/]+/i, ''));
  }
}

/** The still-encoded path after `/api/<route prefix>/<connection>` in a request URL. */
export function pathAfter(requestUrl: string, prefixSegments: number): string {
  const pathname = requestUrl.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]!;
  return pathname.split('/').slice(prefixSegments + 1).join('/');
}

/** The target of a kind whose connection names an `upstream` base URL (http, openai, arm). */
export const upstreamTarget = (connection: Connection, rawPath: string, search: string): Target =>
  resolveTarget((connection.config as { upstream: string }).upstream, rawPath, search);
