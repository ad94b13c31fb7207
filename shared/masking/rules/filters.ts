// Shared "not a secret after all" checks for the rules that match assignments.
import { shannonEntropy } from '../entropy.js';

/** Words, identifiers, member paths (optional chaining's `?.` too) and numbers, an anchor or selector (#add-password): what code and prose put after `token =`. */
const PLAIN = /^(?:#?[A-Za-z_.$?-]+|[\d.eE+-]+)$/;
/** Values already masked, or placeholders rather than values. */
const PLACEHOLDER = /^(?:\*+|x+|X+|\.+|<[^>]*>|\$\{[^}]*\}|\{\{.*\}\}|%[A-Za-z_]+%|\[MASKED:[^\]]*\].*|null|undefined|none|true|false)$/i;

/**
 * What a setting named like a secret holds when it is no secret: a URL without credentials
 * (TOKEN_URL=https://…/token; one with them is the URL rules' to find), a path of words
 * (secret_name: prod/db/password, private_key_path: ~/.ssh/id_rsa) or an AWS resource name
 * (arn:aws:iam::aws:policy/…).
 */
const URL_OR_PATH = /^[A-Za-z][A-Za-z0-9+.-]{1,15}:\/\/[^@\s]+$|^~?\/?(?:[A-Za-z_.-]+\/)+[A-Za-z_.-]+\/?$|^arn:aws[\w-]*:[\w-]+:[\w-]*:(?:\d{12}|aws)?:[\w/+=,.@:-]+$/;

/**
 * The three as one regex, tested once per candidate (a text dense with candidates has one every
 * few characters). Case-insensitive as PLACEHOLDER is: PLAIN and URL_OR_PATH name both cases
 * wherever they name letters, so the flag changes nothing they match.
 */
const PLAIN_PLACEHOLDER_URL_OR_PATH = new RegExp(`${PLAIN.source}|${PLACEHOLDER.source}|${URL_OR_PATH.source}`, 'i');

export function looksPlain(value: string): boolean {
  return PLAIN_PLACEHOLDER_URL_OR_PATH.test(value) || looksLikeRoute(value);
}

/** A URL without credentials, an AWS resource name, or a route or path of words. */
export function looksLikeUrlOrRoute(value: string): boolean {
  return URL_OR_PATH.test(value) || looksLikeRoute(value);
}

/**
 * A route or path of words as web code writes them (cms/sites/passwords#edit,
 * /en/enterprise-server@3.0/auth, $BASE_URL/classroom/#/forgot_password): segments of letters
 * and punctuation, digits only in a version number (3.0), maybe after a variable. A random
 * token with "/" in it (base64) has digits elsewhere, or "+" and "=".
 */
function looksLikeRoute(value: string): boolean {
  if (!value.includes('/')) return false;
  const segments = value.replace(/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?(?=\/)/, '').split('/');
  return segments.some((s) => /[A-Za-z]/.test(s)) && segments.every((s) => /^[A-Za-z_.#@:-]*$/.test(s.replace(/\d+(?:\.\d+)+/g, '')));
}

/**
 * Letters alone, but not as words are written (getUserByIdFromCache, XMLHttpRequest): 16 or
 * more, both cases switching often, no run of six of one case, few vowels. A random
 * letters-only token looks so; generic rules then take it for the value it is.
 */
function looksLikeRandomLetters(value: string): boolean {
  if (!/^[A-Za-z]{16,}$/.test(value) || /[a-z]{6}|[A-Z]{6}/.test(value)) return false;
  let switches = 0;
  for (let i = 1; i < value.length; i++) if ((value[i]! <= 'Z') !== (value[i - 1]! <= 'Z')) switches++;
  // Words are about 40% vowels, random letters about 20% (10 of 52).
  const vowels = value.replace(/[^aeiouAEIOU]/g, '').length;
  return switches >= value.length / 3 && vowels < value.length * 0.3;
}

/** An assignment's value is a secret when it is not plain and its entropy reaches `bits`. */
export const unlessPlainOrBelow = (bits: number) => (secret: string) =>
  (looksPlain(secret) && !looksLikeRandomLetters(secret)) || shannonEntropy(secret) < bits;

export const unlessPlaceholder = (secret: string) => PLACEHOLDER.test(secret);

/**
 * Words that stand for no value, or a setting's mode (fetch's `credentials: 'include'`, a GitHub
 * workflow's `id-token: write`, which every workflow that signs in to Azure with OIDC asks).
 */
const NO_VALUE = /^(?:null|nil|none|undefined|true|false|yes|no|on|off|required|optional|string|str|number|int|integer|bool|boolean|bytes|any|object|include|omit|same-origin|read|write)$/i;
/**
 * What documentation puts in a secret's place: your-api-key-here, YOUR_SECRET_ACCESS_KEY,
 * REPLACE_ME, sk-..., an anchor (#add-password); examples and runs are looksLikeExample's.
 */
const STAND_IN = /^your[-_ ]|[-_ ]here$|^replace[-_ ]?(?:me|with)|\.\.\.|…|^#[\w-]+$/i;

/**
 * Documentation examples and placeholders in a secret's shape: AWS's EXAMPLE keys, "example", "dummy",
 * a run of eight of one character (ghp_xxxx…, sk_test_XXXX…, an all-zero GUID). A random
 * token holds none of these but with negligible odds; a long one (a key block) is not looked at.
 */
const EXAMPLE = /example|placeholder|redacted|replace[_-]?me|changeme|dummy/i;

export const looksLikeExample = (secret: string) => secret.length <= 256 && (EXAMPLE.test(secret) || hasRepeat(secret, 8));

/** A variable or a template whole: $DB_PASSWORD, $(pass show db), ${DB_PASSWORD}, {{ .Values.password }}, <password>, %PASSWORD%. */
const FILLED_IN = /^(?:\$(?:[A-Za-z_]\w*|\([^)]*\)|\{[^}]*\})|\{\{.*\}\}|<[^<>]*>|%[A-Za-z_]\w*%)$/;

/**
 * What a JSON document holds under a sensitive key when it says it holds no value: nothing, a
 * word for none or a type (a schema's "password": "string", a workflow's "id-token": "write"),
 * documentation's stand-in or example (YOUR_API_KEY, "...", changeme), a variable or a template.
 * Anything else there is masked, however short or plain ("x" may be the password).
 */
export function standsIn(value: string): boolean {
  return value.length === 0 || NO_VALUE.test(value) || STAND_IN.test(value) || FILLED_IN.test(value) || looksLikeExample(value);
}

/**
 * For a format with a signature at a fixed place (Azure's identifiable keys): only a word says
 * it is an example. Runs of one character are part of such formats: their zero bytes encode as
 * "AAAA…" in base64 (an Azure DevOps PAT always holds "AAAAAZDO").
 */
export const namesExample = (secret: string) => EXAMPLE.test(secret);

/** Whether `count` of one character come in a row, letters in either case (what `/(.)\1{7}/i` found): a loop, not a backreference tried at every position. */
function hasRepeat(text: string, count: number): boolean {
  let run = 1;
  let b = text.charCodeAt(0);
  for (let i = 1; i < text.length; i++) {
    const a = text.charCodeAt(i);
    // As `.` did: a line terminator is no repeated character.
    const line = a === 10 || a === 13 || a === 0x2028 || a === 0x2029;
    run = !line && (a === b || ((a | 32) === (b | 32) && (a | 32) >= 97 && (a | 32) <= 122)) ? run + 1 : 1;
    if (run >= count) return true;
    b = a;
  }
  return false;
}

/** Subresource-integrity digests (package locks, script tags): sha512-<base64>, which a 64-byte key resembles. */
const DIGEST = /^[A-Za-z0-9+/]{27,86}={0,2}$/;

/** Asked of every candidate of every project rule: the length, which DIGEST bounds, is looked at first. */
export const isIntegrityDigest = (secret: string, line: () => string) =>
  secret.length >= 27 && secret.length <= 88 && DIGEST.test(secret) && /sha(?:1|256|384|512)-$/.test(line().split(secret)[0] ?? '');

/** Identifiers made of words (camelCase, PascalCase, snake_case): what code names a value with. */
const WORDS = /^(?:[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}|[a-z]+(?:_[a-z]+)+|[A-Z]+(?:_[A-Z]+)+)$/;
/**
 * WORDS, each of three letters or more with a vowel: random letters make one without now and
 * then (SyTkwdsUko…), and a long one switches case too often, with too few vowels, to be words
 * (qNrszmkaYqtoXnGpXgOyygYe, a Vercel token).
 */
const namesWords = (secret: string) =>
  WORDS.test(secret) && !secret.split(/_|(?=[A-Z][a-z])/).some((word) => word.length >= 3 && !/[aeiouy]/i.test(word)) && !looksLikeRandomLetters(secret);

/**
 * For a value of a fixed length in a named setting (`VERCEL_TOKEN=…`): a secret unless it is a
 * placeholder, an identifier made of words, or below `bits` of entropy. Letters alone are not
 * enough to excuse it, as they are for free-form values: a random 24 letters are a token.
 */
export const unlessWordsOrBelow = (bits: number) => (secret: string) =>
  PLACEHOLDER.test(secret) || namesWords(secret) || shannonEntropy(secret) < bits;

/** A host name (api.example.com, tenant-1.eu.auth0.com): labels, the last of letters. */
const HOST_NAME = /^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$/;

/**
 * For a value told with no separator (secret-in-prose): a secret only when it looks generated,
 * letters and digits both, 3 bits of entropy or more, and is no identifier of words, host name,
 * path or placeholder: prose puts words and names after "key" and "token", never those.
 */
export const unlessToldAsWords = (secret: string) =>
  !/\d/.test(secret) || !/[A-Za-z]/.test(secret) || PLACEHOLDER.test(secret) || namesWords(secret) || mostlyWords(secret) ||
  wordsCover(secret) >= 0.6 || HOST_NAME.test(secret) || OBJECT_NAME.test(secret) || looksLikeUrlOrRoute(secret) ||
  PUBLIC_ID.test(secret) || shannonEntropy(secret) < 3;

/**
 * Public ids: a key's long id or fingerprint as gpg, apt and git print it ("gpg: key
 * 4AEE18F83AFDEB23: public key …", NO_PUBKEY …, --recv-keys <40 hex>, user.signingkey), which
 * an agent needs to fetch the key; an Ethereum address (0x and 40 hex).
 */
const PUBLIC_ID = /^(?:0x[0-9a-fA-F]{40}|(?:0x)?(?:[0-9A-F]{16}|[0-9A-F]{40}|[0-9a-f]{16}))$/;
/** A Kubernetes object's generated name (db-creds-7f8d9c6b5-x2k9p), a cache key or a design token of that shape: lower-case pieces joined by dashes. */
const OBJECT_NAME = /^[a-z]+(?:-[a-z0-9]+){2,}$/;

/** A word as identifiers write one: lower case, capitalised or all capitals. */
const WORD_SHAPE = /^(?:[A-Z]?[a-z]+|[A-Z]+)$/;
/** What joins an identifier's words: an underscore, or a camelCase hump. */
const IDENTIFIER_JOINS = /_|[a-z][A-Z]/;
/** Four consonants in a row, which words seldom have and random letters often do. */
const CONSONANTS = /[b-df-hj-np-tv-xz]{4}/i;

/** Shaped as a word, a quarter of it vowels or more, no four consonants in a row. */
function looksLikeWord(piece: string): boolean {
  if (!WORD_SHAPE.test(piece) || CONSONANTS.test(piece)) return false;
  let vowels = 0;
  for (let i = 0; i < piece.length; i++) if ('aeiouyAEIOUY'.includes(piece[i]!)) vowels++;
  return vowels * 4 >= piece.length;
}

/**
 * The share of `value` in words of four letters or more, split at digits, punctuation and
 * camelCase humps (SecretsManagerV2Client, user_42_profile_v3), in a value joined as identifiers
 * are. A generated token's letters seldom make such runs.
 */
function wordsCover(value: string): number {
  // Only an identifier's parts are read as words: letters of one case and digits alone (a token's) are not.
  if (!IDENTIFIER_JOINS.test(value)) return 0;
  // Where words are written in lower case, a run of capitals is an acronym, short, or random letters.
  const capitalsAreWords = !/[a-z]/.test(value);
  let covered = 0;
  for (const piece of value.split(/[^A-Za-z]+|(?<=[a-z])(?=[A-Z])/)) {
    if (piece.length >= 4 && (capitalsAreWords || /[a-z]/.test(piece)) && looksLikeWord(piece)) covered += piece.length;
  }
  return covered / value.length;
}

/** Pieces joined by `-`, `_`, `.` or `/`, most of them letters alone: a slug (a-string-secret-at-least-256-bits-long), not a token. */
function mostlyWords(value: string): boolean {
  const pieces = value.split(/[-_./]/);
  // A piece of letters is a word, but for a long one in capitals that is not shaped like one: a
  // generated key's group (`WCVOZOXK-GPBOKUMY-VWKXJBJS-20LN`), where slugs write words in lower case.
  return pieces.length >= 3 && pieces.filter((piece) => /^[A-Za-z]+$/.test(piece) && (piece.length <= 6 || /[a-z]/.test(piece) || looksLikeWord(piece))).length * 2 > pieces.length;
}

/** A member path or a call (`process.env.DB_PASSWORD`, `config.get("db")`): code naming a value, not the value. */
const CODE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^[A-Za-z_$][\w$.]*\([^)]*\)$/;
export const looksLikeCode = (value: string) => CODE.test(value);

const KEY_BODY = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----([\s\S]*?)-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/;
/**
 * A whole key block whose body is a placeholder (…, ***, <your key>, ${KEY}, a run of one
 * character, few distinct characters) or too short to hold a key (the smallest, Ed25519 in
 * PKCS#8, is 64 characters of base64). Runs of "A" (zero bytes) and "/" (0xff bytes) are not
 * placeholders: every OpenSSH key has them, its length fields being zero-padded. A block cut off
 * before its END line is still masked.
 */
export function isPlaceholderKeyBlock(block: string): boolean {
  const body = KEY_BODY.exec(block)?.[1];
  if (body === undefined) return false;
  const flat = body.replace(/\\[nr]|\s/g, '');
  const base64 = flat.replace(/[^A-Za-z0-9+/]/g, '');
  return /\.{3}|\*{3}|<[^>]*>|\$\{|([^A/])\1{7}/.test(flat) || base64.length < 60 || new Set(base64).size < 16;
}

/** Whether base64 text decodes to a private key block that is not a placeholder. */
export function isEncodedKeyBlock(base64: string): boolean {
  const block = Buffer.from(base64, 'base64').toString('latin1');
  return /^-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/.test(block) && !isPlaceholderKeyBlock(block);
}

/** A value a shell, a batch file or a template fills in ($PASSWORD, %PASS%, {{ pw }}), or a documentation password. */
export const unlessFilledInOrPlaceholder = (secret: string, match: string): boolean => /^(?:\$|%|\{\{)/.test(secret) || unlessPlaceholderPassword(secret, match);

/**
 * Passwords as documentation writes them: the word itself (password, pass, secret, your_password,
 * replace_with_password) or a default account's name (root, admin, user), a template ({password}, %PASSWORD%, $PASSWORD, $(password)), fewer
 * than 4 characters, one character repeated, or the user's name again (admin:admin).
 */
const PLACEHOLDER_PASSWORD = /^(?:(?:my|your|the|replace[_-]?with)?[_-]?(?:password|passwd|pass|pwd|secret|root|admin|user(?:name)?)|\{[^}]{1,50}\}|%[A-Za-z_]{1,30}%|\$[A-Za-z_]{1,30}|\$\([^)]{1,50}\)|(.)\1{3,})$/i;
/**
 * A URL's port and properties read as its password: in jdbc:sqlserver://host:1433;database=d;user=u@host
 * the user is Azure SQL's user@server, after the host, not a URL's user.
 */
const PORT_THEN_PROPERTIES = /^\d{1,5};[A-Za-z]/;

/** unlessPlaceholderPassword, for a URL's password: also leaves a port and properties (PORT_THEN_PROPERTIES). */
export function unlessUrlPlaceholderPassword(secret: string, match: string): boolean {
  return PORT_THEN_PROPERTIES.test(secret) || unlessPlaceholderPassword(secret, match);
}

export function unlessPlaceholderPassword(secret: string, match: string): boolean {
  if (PLACEHOLDER.test(secret) || PLACEHOLDER_PASSWORD.test(secret) || secret.length < 4) return true;
  const user = /:\/\/([^:@\/\s]*):/.exec(match)?.[1];
  return user !== undefined && user === secret;
}
