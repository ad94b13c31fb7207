// JSON keys whose values are masked whatever they hold. A key matches a name when, with case,
// '_', '-', '.' and spaces ignored, it equals the name or ends with it (dbPassword, x-api-key). A
// name written with a separator first ('_pass') matches only as the last word of a key of several:
// DB_PASS, smtp.pass; not PASS alone (a test summary's "pass": 12), bypass or firstPass.

export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  'password', 'passwd', 'pwd', 'pw', 'passphrase', 'secret', 'clientSecret', 'token', 'accessToken',
  'refreshToken', 'idToken', 'sessionToken', 'authToken', 'apiKey', 'apiSecret', 'accessKey',
  'secretKey', 'privateKey', 'connectionString', 'credential', 'credentials', 'authorization',
  'cookie', 'sasToken', 'accountKey', 'sharedAccessKey',
  // MySQL's and MariaDB's mysql.user column (the password's hash); PostgreSQL's rolpassword ends with password.
  'authenticationString', 'passwordHash',
  // Azure Functions' key collections (az functionapp keys list, listKeys).
  'functionKeys', 'systemKeys',
  // DB_PASS, SMTP_PASS, REDIS_PASS in env files and settings: a key's last word only.
  '_pass',
  // A personal access token: AZURE_DEVOPS_EXT_PAT (az devops), GITHUB_PAT, ADO_PAT; not pat alone.
  '_pat',
  // Keys that services and frameworks name otherwise: Datadog's and Laravel's appKey (APP_KEY),
  // Algolia's adminKey, Segment's and Honeycomb's writeKey, Rails' masterKey (RAILS_MASTER_KEY)
  // and secretKeyBase (SECRET_KEY_BASE), an app's encryptionKey, LogDNA's ingestionKey, a
  // streaming service's streamKey, and a signing keystore given to CI in base64
  // (ANDROID_KEYSTORE_BASE64; its 64 is dropped as an instance's number is, so KEYSTORE_BASE matches too).
  'appKey', 'adminKey', 'writeKey', 'masterKey', 'secretKeyBase', 'encryptionKey', 'ingestionKey', 'streamKey', 'keystoreBase64',
];

/**
 * Keys that end like a sensitive name but hold paging cursors, not credentials: an agent sends
 * them back for the next page (Azure Resource Graph's $skipToken, az graph query's skip_token).
 */
export const DEFAULT_IGNORED_KEYS: readonly string[] = [
  'pageToken', 'nextPageToken', 'nextToken', 'continuationToken', 'syncToken', 'skipToken', '$skipToken', 'resumeToken',
];

// A number at the end is an instance, not a different name: ACR's credentials are "password" and
// "password2", numbered settings DB_PASSWORD_2.
const normalize = (key: string) => key.toLowerCase().replace(/[-_.\s]/g, '').replace(/\d+$/, '');

export type KeyMatcher = (key: string) => boolean;

/** Whether a name counts only as a word of its own: written with a separator first. */
const wholeWord = (name: string) => /^[-_.\s]/.test(name);

/** The key lower-cased, without a number at its end and the separators around it (DB_PASS_2: db_pass). */
const lastWordOf = (key: string) => key.toLowerCase().replace(/[-_.\s\d]+$/, '');

export function keyMatcher(names: readonly string[], ignored: readonly string[]): KeyMatcher {
  const wanted = [...new Set(names.filter((n) => !wholeWord(n)).map(normalize).filter((n) => n.length > 0))];
  const words = [...new Set(names.filter(wholeWord).map(normalize).filter((n) => n.length > 0))];
  const skip = new Set(ignored.map(normalize));
  // Keys repeat heavily in API responses: remember the answer (bounded, so hostile input cannot grow it).
  const cache = new Map<string, boolean>();
  const endsWithWord = (key: string) => {
    const last = lastWordOf(key);
    return words.some((w) => last.endsWith(w) && /[-_.\s]/.test(last.charAt(last.length - w.length - 1)));
  };
  return (key) => {
    let answer = cache.get(key);
    if (answer !== undefined) return answer;
    const n = normalize(key);
    answer = !skip.has(n) && (wanted.some((w) => n === w || n.endsWith(w)) || (words.length > 0 && endsWithWord(key)));
    if (cache.size < 4096) cache.set(key, answer);
    return answer;
  };
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Separators the normalization drops, as ASCII codes: '-', '_', '.', and ASCII white space. */
const isSeparator = (c: number) => c === 45 || c === 95 || c === 46 || c === 32 || (c >= 9 && c <= 13);

/** Whether the raw text of a key, text[from, to), may be sensitive: false only when it cannot be. */
export type KeyFilter = (text: string, from: number, to: number) => boolean;

/**
 * A test on a key's raw text that spares slicing and normalizing most keys: it reads the key
 * backwards through a trie of the reversed names and stops at the first character that no name
 * has there. True means the key ends like a name (or holds non-ASCII), and the matcher decides.
 */
export function keyFilter(names: readonly string[]): KeyFilter {
  const wanted = [...new Set(names.map(normalize).filter((n) => n.length > 0))];
  // Case folding beyond ASCII is the matcher's to do.
  if (wanted.some((n) => /[^\x00-\x7f]/.test(n))) return () => true;
  const next: number[] = [];
  const final: boolean[] = [];
  const node = () => {
    for (let c = 0; c < 128; c++) next.push(0);
    final.push(false);
    return final.length - 1;
  };
  node();
  for (const name of wanted) {
    let at = 0;
    for (let i = name.length - 1; i >= 0; i--) {
      const slot = at * 128 + name.charCodeAt(i);
      at = next[slot] || (next[slot] = node());
    }
    final[at] = true;
  }
  const table = Int32Array.from(next);
  return (text, from, to) => {
    let at = 0;
    // Past a number at the end, and the separators around it, as normalize drops them.
    let end = to;
    for (let c = text.charCodeAt(end - 1); end > from && (isDigit(c) || isSeparator(c)); c = text.charCodeAt(--end - 1));
    for (let i = end - 1; i >= from; i--) {
      let c = text.charCodeAt(i);
      if (c > 127) return true;
      if (isSeparator(c)) continue;
      if (c >= 65 && c <= 90) c |= 0x20;
      at = table[at * 128 + c]!;
      if (at === 0) return false;
      if (final[at]) return true;
    }
    return false;
  };
}

const eitherCase = (c: string) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`);

/**
 * Gates (gates.ts) on the keys `names` match, then `after` (a scanner's separator): a key's last
 * three letters (two, of a name of two) in either case, then maybe a separator and a number
 * ("password2", "DB_PASSWORD_2"). Three, not two: `format:` and `createdAt:` end like `_pat`,
 * `version:` like `authorization`, and every gate is a scanner's call. `ends` adds last letters
 * of keys of a scanner's own; a name of one character gates on `alone`.
 */
export function keyGates(names: readonly string[], after: string, alone: string, ends: readonly string[] = []): string[] {
  const last = new Set(ends);
  for (const name of names) {
    const end = name.replace(/[-_.\s]/g, '').slice(-3);
    if (!/^[A-Za-z0-9]{2,3}$/.test(end)) return [alone];
    last.add(end.toLowerCase());
  }
  return [...last].map((end) => `${[...end].map(eitherCase).join('')}[-_]?\\d{0,3}${after}`);
}
