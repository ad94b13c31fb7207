// JSON keys whose values are masked whatever they hold. A key matches a name when, with case,
// '_', '-', '.' and spaces ignored, it equals the name or ends with it (dbPassword, x-api-key).

export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  'password', 'passwd', 'pwd', 'passphrase', 'secret', 'clientSecret', 'token', 'accessToken',
  'refreshToken', 'idToken', 'sessionToken', 'authToken', 'apiKey', 'apiSecret', 'accessKey',
  'secretKey', 'privateKey', 'connectionString', 'credential', 'credentials', 'authorization',
  'cookie', 'sasToken', 'accountKey', 'sharedAccessKey',
];

/** Keys that end like a sensitive name but hold paging cursors, not credentials. */
export const DEFAULT_IGNORED_KEYS: readonly string[] = [
  'pageToken', 'nextPageToken', 'nextToken', 'continuationToken', 'syncToken',
];

const normalize = (key: string) => key.toLowerCase().replace(/[-_.\s]/g, '');

export type KeyMatcher = (key: string) => boolean;

export function keyMatcher(names: readonly string[], ignored: readonly string[]): KeyMatcher {
  const wanted = [...new Set(names.map(normalize).filter((n) => n.length > 0))];
  const skip = new Set(ignored.map(normalize));
  // Keys repeat heavily in API responses: remember the answer (bounded, so hostile input cannot grow it).
  const cache = new Map<string, boolean>();
  return (key) => {
    let answer = cache.get(key);
    if (answer !== undefined) return answer;
    const n = normalize(key);
    answer = !skip.has(n) && wanted.some((w) => n === w || n.endsWith(w));
    if (cache.size < 4096) cache.set(key, answer);
    return answer;
  };
}

/** Lower-cased char codes of the last letter of each name (separators ignored). */
export function keyEndings(names: readonly string[]): Set<number> {
  const endings = new Set<number>();
  for (const name of names) {
    const n = normalize(name);
    if (n.length > 0) endings.add(n.charCodeAt(n.length - 1) | 0x20);
  }
  return endings;
}
