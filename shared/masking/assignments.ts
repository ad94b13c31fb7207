// Sensitive keys in text, assigned: the value a setting, variable or flag named by a sensitive
// key is given, as code, config, env files and command lines write it. A password people chose
// has little entropy, so the entropy-gated generic-secret rule lets it through; a sensitive key
// says what the value is, as it does in JSON. Under the same rule id and names as JSON mode's.
//   password = "…"  password: '…'  'password' => "…"  const PASSWORD = `…`   a quoted literal, any language
//   DB_PASSWORD=…  export PGPASSWORD=…  ?token=…  --password=…             env files, shells, URLs, flags
//   password: …  (a YAML or header line)  password = …  (an INI line)       the rest of the line
//   --password …  --client-secret "…"                                     a command line's flag
//   <password>…</password>  <add key="DbPassword" value="…"/>              XML configs
//   define('DB_PASSWORD', '…')  getenv("TOKEN", "…")  ["--password", "…"]   a call's or a list's next item
//   password: |  (the more indented lines under it)                         a YAML block
// What names a value rather than holds one is left: templates and variables, placeholders, URLs
// and routes, and, unquoted, code (a call, a member path, a camelCase variable, a statement):
// masking the code an agent reads would corrupt what it writes back.
import { keyGates, type KeyFilter, type KeyMatcher } from './sensitive-keys.js';
import type { Replacement, ScanRule } from './rule.js';
import { SENSITIVE_KEY_RULE } from './core.js';
import { closing } from './quoted-members.js';
import { looksLikeUrlOrRoute, standsIn, unlessPlaceholderPassword } from './rules/filters.js';

/** Longest key and value read (characters). */
const MAX_KEY = 128;
const MAX_VALUE = 1024;
/** Most indentation and prefix (`export `, `- `) before a key at the start of its line. */
const MAX_INDENT = 64;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isKeyChar = (c: number) => isLetter(c) || isDigit(c) || c === 95 || c === 45 || c === 46;
const isBlank = (c: number) => c === 32 || c === 9;
const isEnd = (c: number) => c === 10 || c === 13;
const isQuote = (c: number) => c === 34 || c === 39 || c === 96;
/** Markdown's strong emphasis (**Password:** …), which models put around the names of credentials they list. */
const isStrong = (text: string, i: number) => text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 42;
/** `=`, `:`, or the `>` that ends an element's opening tag. */
const isSeparator = (c: number) => c === 61 || c === 58 || c === 62;
/** Where a stream's last line may hold an assignment: a separator, or a flag's dashes. */
const CANDIDATE = /[=:>,]|--/g;
/**
 * Calls whose first two arguments are a setting's name and its value (or its default): PHP's
 * define() and Laravel's env(), getenv() and os.environ.get(), Ruby's ENV.fetch, Java's
 * Properties, the browser's storage, .NET's environment. A call of any other name (t('password',
 * 'Password'), an i18n table) is left.
 */
const PAIR_CALLS = new Set(['define', 'env', 'getenv', 'get', 'fetch', 'setdefault', 'setenv', 'putenv', 'set', 'put', 'setitem', 'getproperty', 'setproperty', 'getordefault', 'setenvironmentvariable']);
/** How far back an XML attribute pair's element start is looked for (characters): within what a stream keeps as context. */
const PAIR_LOOKBACK = 200;
/** An XML attribute that names its element's pair: key="…" or name="…". */
const PAIR_NAME = /\b(?:key|name)[ \t]*=[ \t]*(["'])([^"'\n]{1,128})\1/gi;
/** A setting joined to the one before by a comma (helm's --set, Spring's key=value lists). */
const NEXT_PAIR = /,[A-Za-z_][\w.[\]-]*=/;
/** Most blanks around a separator (aligned assignments, as terraform fmt and gofmt write them). */
const MAX_ALIGN = 40;
/**
 * Where an unquoted value given by `=` or a flag ends: white space, a quote, a shell's or a
 * query's separator, a JSON escape of a line's end, a tab or a quote (text that holds JSON).
 */
function endsRun(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c <= 32 || isQuote(c) || c === 59 || c === 38) return true;
  if (c !== 92) return false;
  const e = text.charCodeAt(i + 1);
  return e === 110 || e === 114 || e === 116 || e === 34;
}
/** A line's end, or one escaped in JSON (\n, \r). */
function endsLine(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c !== 92) return isEnd(c);
  const e = text.charCodeAt(i + 1);
  return e === 110 || e === 114;
}

/**
 * Where a value that starts at `from` ends (`stops` says where), or a point past MAX_VALUE from
 * it. The last answer is remembered for its text: candidates every few characters of one long
 * run or line read it once, not once each. Forgotten when a scan or hold ends.
 */
class Reach {
  private text = '';
  private from = -1;
  private to = -1;
  private done = false;

  constructor(private readonly stops: (text: string, i: number) => boolean) {}

  end(text: string, from: number): number {
    const limit = Math.min(text.length, from + MAX_VALUE + 1);
    let i = from;
    if (text === this.text && from >= this.from && from <= this.to) {
      if (this.done || this.to >= limit) return Math.min(this.to, limit);
      i = this.to;
    } else this.from = from;
    while (i < limit && !this.stops(text, i)) i++;
    this.text = text;
    this.to = i;
    this.done = i < limit || i === text.length;
    return i;
  }

  /** Where the value that starts at `from` ends, however far: read once, as end() reads. */
  whole(text: string, from: number): number {
    let i = from;
    if (text === this.text && from >= this.from && from <= this.to) {
      if (this.done) return this.to;
      i = this.to;
    } else this.from = from;
    while (i < text.length && !this.stops(text, i)) i++;
    this.text = text;
    this.to = i;
    this.done = true;
    return i;
  }

  /** Drops the text, so that it is not kept alive until the next one. */
  forget(): void {
    this.text = '';
    this.from = this.to = -1;
  }
}
const runs = new Reach(endsRun);
/** Where the run last found too long to be a value reaches (scan skips the candidates inside it). */
let overlong = -1;
/** How far the last Terraform block was read (defaultIn), in its text. Forgotten when a scan ends. */
const readBlock = { text: '', to: -1 };
const lines = new Reach(endsLine);

/**
 * How the value is written: quoted; an XML element's text; a run without white space (KEY=value,
 * a flag's argument); the rest of a line after `key:` (YAML, headers) or `key =` (INI).
 */
type Form = 'quoted' | 'element' | 'run' | 'colon-line' | 'equals-line' | 'block' | 'listed';

interface Assigned {
  valueStart: number;
  valueEnd: number;
  /** The value reaches the end of the text, which later text may extend. */
  open: boolean;
  form: Form;
}

/**
 * A template or a variable: ${X}, $X, $(cmd), %X%, {{ x }}, <x>, %s, {}, {0}, a shell's '$X'
 * inside quotes, interpolation anywhere (${x}, #{x}); a bracketed stand-in ([key goes here]); a
 * string joined in code ("+ x"); a YAML tag, alias or block (!Ref X, *x, |); a heredoc (<<EOF).
 */
const TEMPLATE = /^(?:['"]?[$%]|\{\{|<|%\(?\w*\)?[sd]$|\{\d*\}$|\[|\s*\+|![A-Za-z]|\*[A-Za-z]|[|>][-+]?\d*$)|[$#]\{|\+\s*$/;
/**
 * Code, unquoted: a subexpression (PowerShell's -Password (ConvertTo-SecureString …)), a member
 * path (process.env.X, self.password, config.get(…)), a call or an index
 * (getpass(), ENV["X"]), an annotation or a default (str = …), a member, a statement or an
 * argument's end (hashed, x; pw)), a camelCase or PascalCase name made of words (hashedPassword,
 * SecretStr, dbPassURL: no digits, words of three letters or more after the first, so that a
 * random password, qKvpwL841r, is none), a type union or a required type (str | None, String!).
 */
const CODE = /^(?:\(|[A-Za-z_$][\w$]*(?:(?:\?\.|\.|->|::)[A-Za-z_$][\w$]*)+|[A-Za-z_$][\w$]*\s*[([=]|(?=[a-z]+[A-Z])[a-z]{2,}(?:[A-Z][a-z]{2,})*[A-Z]{0,4}$|[A-Z][a-z]{2,}(?:[A-Z][a-z]{2,})+[A-Z]{0,4}$|[\w$]+\s*\|\s*[\w$]|[A-Z]\w*!$)|[,;{)\]}]$/;
/** An identifier alone: after `key = `, a variable in code as often as a value in an INI file, unless it ends in digits (hunter2). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*(?<!\d)$/;
/**
 * A variable named for what it holds (jwt_token, SESSION_SECRET, db_password, token): code passing
 * a credential on. The word is a whole part of the name: "supersecret" is a password.
 */
const NAMED_VARIABLE = /^(?:[A-Za-z$][A-Za-z\d$]*_)*(?:pass(?:word|wd)?|pwd|secret|token|key|creds?|credentials?|auth)(?:_[A-Za-z\d$]+)*$/i;
/** Credentials after an authentication scheme are the authorization-header rule's to find. */
const SCHEME = /^(?:Bearer|Basic|Digest|Negotiate|NTLM|Token|SharedKey(?:Lite)?|SharedAccessSignature)\s/i;

/** Whether the value given in `form` names a value rather than holds one. */
function noValue(value: string, form: Form): boolean {
  // A template, or what JSON also reads as no value (standsIn: its variables and templates are TEMPLATE's too).
  if (TEMPLATE.test(value) || standsIn(value)) return true;
  if (unlessPlaceholderPassword(value, value) || looksLikeUrlOrRoute(value)) return true;
  if (form === 'quoted' || form === 'element') return false;
  if (CODE.test(value) || SCHEME.test(value) || NAMED_VARIABLE.test(value)) return true;
  return (form === 'equals-line' || form === 'listed') && IDENTIFIER.test(value);
}

/** What may come before a key that starts its line: a shell's, a Dockerfile's, a list's, a comment's. */
const LINE_PREFIXES = ['export', 'set', 'setx', 'ENV', '-', '*', '+', '>', '#', '//'];

/**
 * Whether the key starting at `keyStart` starts its line: after indentation and maybe a list
 * item's mark, a comment's or a shell's `export`/`set`.
 */
function startsLine(text: string, keyStart: number): boolean {
  let i = isStrong(text, keyStart - 2) ? keyStart - 2 : keyStart;
  const floor = Math.max(0, keyStart - MAX_INDENT);
  while (i > floor && isBlank(text.charCodeAt(i - 1))) i--;
  for (const prefix of LINE_PREFIXES) {
    if (i - prefix.length >= 0 && text.startsWith(prefix, i - prefix.length) && i < keyStart) {
      let j = i - prefix.length;
      while (j > floor && isBlank(text.charCodeAt(j - 1))) j--;
      if (lineBreakBefore(text, j)) return true;
    }
  }
  return lineBreakBefore(text, i);
}

/** Whether `at` starts a line: the text's start, after a line break, or after one escaped in JSON (\n). */
const lineBreakBefore = (text: string, at: number) =>
  at === 0 || isEnd(text.charCodeAt(at - 1)) || (text.charCodeAt(at - 2) === 92 && (text.charCodeAt(at - 1) === 110 || text.charCodeAt(at - 1) === 114));

/**
 * Whether `KEY=value` away from a line's start is a setting (a command's argument, a query's or a
 * connection string's part, a flag) rather than a call's keyword argument (f(x, password=pw)).
 */
function setsAlone(text: string, keyStart: number): boolean {
  let i = keyStart;
  while (i > 0 && keyStart - i < 16 && isBlank(text.charCodeAt(i - 1))) i--;
  const before = text.charCodeAt(i - 1);
  // A subshell's or a command substitution's parenthesis, (DB_PASSWORD=… ./run) and $(…), has no name before it.
  if (before === 40) return i < 2 || !isKeyChar(text.charCodeAt(i - 2));
  return before !== 44;
}

/** Code around a quoted literal: joined to more ("Bearer " + token), formatted ("%s" % x, f"{x}"). */
function joinedAt(text: string, close: number): boolean {
  let i = close + 1;
  while (isBlank(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  return c === 43 || c === 37;
}

/**
 * The assignment to the key text[keyStart, keyEnd), if one follows it. `lazy`: a value in one run
 * is not read (a stream's hold need not know where it ends).
 */
function assignedAfter(text: string, keyStart: number, keyEnd: number, lazy = false): Assigned | undefined {
  const n = text.length;
  if (keyStart > 0 && text.charCodeAt(keyStart - 1) === 60) return elementAfter(text, keyStart, keyEnd);
  let keyQuote = keyStart > 0 && isQuote(text.charCodeAt(keyStart - 1)) ? text.charCodeAt(keyStart - 1) : 0;
  let i = keyEnd;
  // "DB_PASSWORD=…" (docker's -e, compose's list, an Env array) is a setting inside a string.
  const inString = keyQuote !== 0 && text.charCodeAt(i) === 61 && text.charCodeAt(i + 1) !== 61;
  if (inString) keyQuote = 0;
  else if (keyQuote !== 0) {
    if (text.charCodeAt(i) !== keyQuote) return undefined;
    i++;
  }
  if (text.charCodeAt(i) === 93) i++; // ["password"] = …
  else if (keyQuote === 0 && isStrong(text, i)) i += 2; // **Password**: …
  const beforeSeparator = i;
  while (i < n && i - beforeSeparator < MAX_ALIGN && isBlank(text.charCodeAt(i))) i++;
  const spacedBefore = i > beforeSeparator;
  const c = text.charCodeAt(i);
  const next = text.charCodeAt(i + 1);
  let kind: '=' | ':' | 'flag';
  let typed = false;
  if (c === 61) {
    if (next === 61 || next === 126) return undefined; // == and =~ compare
    i += next === 62 ? 2 : 1;
    kind = '=';
  } else if (c === 58) {
    if (next === 58) return undefined; // a scope (Foo::Bar)
    kind = next === 61 ? '=' : ':';
    i += next === 61 ? 2 : 1;
    if (kind === ':' && isStrong(text, i)) i += 2; // **Password:** …
    else if (kind === ':' && keyQuote === 0) {
      // A typed declaration given a literal (const dbPassword: string = "…", val password: String = "…").
      TYPED.lastIndex = i;
      if (TYPED.test(text)) {
        i = TYPED.lastIndex;
        kind = '=';
        typed = true;
      }
    }
  } else if (spacedBefore && keyQuote === 0 && (c === 115 || c === 83) && ((STRING_TYPED.lastIndex = i), STRING_TYPED.test(text))) {
    // Go's and Bicep's declarations name the type after the key (var password string = "…", param adminPassword string = '…').
    i = STRING_TYPED.lastIndex;
    kind = '=';
    typed = true;
  } else if (spacedBefore && keyQuote === 0 && text.charCodeAt(keyStart) === 45) kind = 'flag';
  else if (c === 44 && keyQuote !== 0) return pairedAfter(text, keyStart, i + 1);
  else if (spacedBefore && keyQuote === 0 && (c === 34 || c === 39) && startsLine(text, keyStart)) {
    // Groovy's and Gradle's DSL (credentials { password 'hunter2' }): a quoted argument after a name that starts its line.
    const end = closing(text, i, c);
    return end < 0 || (end < n && joinedAt(text, end)) ? undefined : { valueStart: i + 1, valueEnd: end, open: end === n, form: 'quoted' };
  }
  else if (isEnd(c)) return nextItemAfter(text, keyStart, i);
  else return undefined;
  // A quoted key with a colon is a quoted member: quoted-members.ts reads those.
  if (keyQuote !== 0 && kind === ':') return undefined;
  const afterSeparator = i;
  while (i < n && i - afterSeparator < MAX_ALIGN && isBlank(text.charCodeAt(i))) i++;
  const spacedAfter = i > afterSeparator;
  const shell = kind === '=' && !typed && !spacedBefore && !spacedAfter;
  // A string's prefix (f"…", b'…', r"…") is code's; f-strings interpolate.
  let prefixed = false;
  const p = text.charCodeAt(i);
  if (!inString && (p === 102 || p === 98 || p === 114 || p === 117 || p === 70 || p === 66 || p === 82 || p === 85) && isQuote(text.charCodeAt(i + 1))) {
    if ((p === 102 || p === 70) && text.indexOf('{', i) >= 0) return undefined;
    prefixed = true;
    i++;
  }
  const q = text.charCodeAt(i);
  if (isQuote(q) && !inString) {
    // A shell's backquotes run a command.
    if (q === 96 && shell) return undefined;
    const end = closing(text, i, q);
    if (end < 0 || (end < n && joinedAt(text, end))) return undefined;
    return { valueStart: i + 1, valueEnd: end, open: end === n, form: 'quoted' };
  }
  if (prefixed || (kind === 'flag' ? text.charCodeAt(i) === 45 : keyQuote !== 0)) return undefined; // the next flag; code
  if (kind === 'flag' || shell) {
    if (kind === '=' && text.charCodeAt(keyStart) !== 45 && !startsLine(text, keyStart) && !setsAlone(text, keyStart)) return undefined;
    if (lazy) return { valueStart: i, valueEnd: i, open: false, form: 'run' };
    // A single dash (PowerShell's -Password, keytool's -storepass): an identifier after it is as often prose's next word.
    const form: Form = kind === 'flag' && text.charCodeAt(keyStart + 1) !== 45 ? 'listed' : 'run';
    const end = runs.end(text, i);
    if (end - i > MAX_VALUE) {
      overlong = runs.whole(text, i);
      return undefined;
    }
    // Pairs joined by commas (helm's --set a.password=…,b.user=x): the next pair is no part of the value.
    const next = NEXT_PAIR.exec(text.slice(i, end));
    if (next !== null) return { valueStart: i, valueEnd: i + next.index, open: false, form };
    return { valueStart: i, valueEnd: end, open: end === n, form };
  }
  // `key:value` is no YAML; the rest of a line is a value only where its key starts the line.
  if (!inString && kind === ':' && spacedAfter && !startsLine(text, keyStart)) return listedAfter(text, keyStart, i);
  if (inString || (kind === ':' && !spacedAfter && i < n) || !startsLine(text, keyStart)) return undefined;
  const lineEnd = lines.end(text, i);
  let end = lineEnd;
  if (end - i > MAX_VALUE) return undefined;
  const open = end === n;
  // A comment ends the value; white space before it or the line's end is not the value's.
  const comment = text.slice(i - 1, end).search(/[ \t]#/) - 1;
  if (comment >= -1) end = i + Math.max(0, comment);
  while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
  if (end - i > 2 && isStrong(text, end - 2)) end -= 2;
  // A block's lines are read under a header on a line of its own (not one escaped in JSON).
  if (kind === ':' && BLOCK_INDICATOR.test(text.slice(i, end))) return isEnd(text.charCodeAt(lineEnd)) ? blockAfter(text, keyStart, lineEnd) : undefined;
  return { valueStart: i, valueEnd: end, open, form: kind === ':' ? 'colon-line' : 'equals-line' };
}

const BLOCK_INDICATOR = /^[|>][-+]?\d?[-+]?$/;

/** A type as declarations write it: a name, maybe generic (List<String>, Optional[str]), an array, nullable. */
const TYPE = String.raw`&?[A-Za-z_][\w.]{0,60}(?:<[\w.,<>?\[\] \t]{0,60}>|\[[\w.,\[\] \t]{0,60}\])?(?:\[\])?\??`;

/**
 * After a key's colon: a type or a union of a few (TypeScript, Kotlin, Swift, Python's
 * annotations, Rust), `=`, and a quoted literal next. Sticky and bounded.
 */
const TYPED = new RegExp(String.raw`[ \t]{0,8}${TYPE}(?:[ \t]{0,8}\|[ \t]{0,8}${TYPE}){0,3}[ \t]{0,8}=(?![=~>])[ \t]{0,8}(?=[bfruBFRU]?["'\`])`, 'y');

/** After a key and a blank: the type `string`, `=` and a quoted literal next (Go, Bicep). Sticky and bounded. */
const STRING_TYPED = /[sS]tring[ \t]{1,8}=(?![=~>])[ \t]{0,8}(?=["'`])/y;

/** How far into a Terraform variable block its default is looked for (characters). */
const BLOCK_REACH = 1024;
/** A block's `default = "`, from a line's start. Sticky. */
const DEFAULT = /[ \t]*default[ \t]*=[ \t]*(?=")/y;

/**
 * The quoted default of the Terraform block that opens at `brace` (variable "db_password" {
 * default = "…" }): a line of the block itself, not of a block inside it. Quoted strings are
 * skipped whole, braces in them counting for nothing.
 */
function defaultIn(text: string, brace: number): Assigned | undefined {
  const limit = Math.min(text.length, brace + BLOCK_REACH);
  readBlock.text = text;
  let depth = 1;
  let i = brace + 1;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (depth === 1 && (i === brace + 1 || text.charCodeAt(i - 1) === 10)) {
      DEFAULT.lastIndex = i;
      if (DEFAULT.test(text)) {
        const open = DEFAULT.lastIndex;
        const end = closing(text, open, 34);
        readBlock.to = end < 0 ? open : end;
        return end < 0 ? undefined : { valueStart: open + 1, valueEnd: end, open: end === text.length, form: 'quoted' };
      }
    }
    if (c === 34) {
      const end = closing(text, i, 34);
      if (end < 0 || end === text.length) break;
      i = end;
    } else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) break;
  }
  readBlock.to = i;
  return undefined;
}

/**
 * The value of a YAML block scalar whose header line ends at `lineEnd`: the lines under its key
 * indented more than the key is, from the first one's text to the last one's end (blank lines
 * between them included); open while the text ends inside it.
 */
function blockAfter(text: string, keyStart: number, lineEnd: number): Assigned | undefined {
  const n = text.length;
  let lineStart = keyStart;
  while (lineStart > 0 && keyStart - lineStart < MAX_INDENT && !isEnd(text.charCodeAt(lineStart - 1))) lineStart--;
  const keyColumn = keyStart - lineStart;
  let valueStart = -1;
  let valueEnd = -1;
  for (let at = lineEnd; at < n; ) {
    at += text.charCodeAt(at) === 13 && text.charCodeAt(at + 1) === 10 ? 2 : 1;
    let indent = at;
    while (indent < n && isBlank(text.charCodeAt(indent))) indent++;
    let end = indent;
    while (end < n && !isEnd(text.charCodeAt(end))) end++;
    if (end > indent && indent - at <= keyColumn) break;
    if (end > indent) {
      if (valueStart < 0) valueStart = indent;
      valueEnd = end;
    }
    // Blank lines count too: a header reads at most this far, however many follow it.
    if (end - lineEnd > 2 * MAX_VALUE) return undefined;
    at = end;
    if (at === n) return { valueStart: valueStart < 0 ? n : valueStart, valueEnd: n, open: true, form: 'block' };
  }
  return valueStart < 0 ? undefined : { valueStart, valueEnd, open: false, form: 'block' };
}

/** Where a credential listed in a sentence ends: white space, a quote, or a list's or a bracket's punctuation. */
const endsListed = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return c <= 32 || isQuote(c) || c === 44 || c === 59 || c === 41 || c === 93 || c === 125;
};

/**
 * A credential listed after another setting on its line, as a model or a README gives a login
 * (user: admin, password: …; User: admin / Password: …): one word, which must not be an
 * identifier (code's variables: { user, password: pw }).
 */
function listedAfter(text: string, keyStart: number, i: number): Assigned | undefined {
  let b = keyStart - 1;
  if (isStrong(text, b - 1)) b -= 2;
  while (b >= 0 && keyStart - b < 8 && isBlank(text.charCodeAt(b))) b--;
  const c = text.charCodeAt(b);
  if (c !== 44 && c !== 47 && c !== 59 && c !== 124) return undefined;
  // Another setting before it on the line: `word: value` then the separator.
  const lineStart = Math.max(0, b - MAX_KEY - MAX_VALUE);
  let colon = -1;
  for (let k = b - 1; k >= lineStart && !isEnd(text.charCodeAt(k)); k--) {
    if (text.charCodeAt(k) === 58 && isBlank(text.charCodeAt(k + 1))) {
      colon = k;
      break;
    }
  }
  if (colon < 0) return undefined;
  const n = text.length;
  let end = i;
  while (end < n && end - i <= MAX_VALUE && !endsListed(text, end)) end++;
  if (end - i > MAX_VALUE) return undefined;
  if (end - i > 2 && isStrong(text, end - 2)) end -= 2;
  return { valueStart: i, valueEnd: end, open: end === n, form: 'listed' };
}

/**
 * 'DB_PASSWORD', '…' as the first two arguments of a call that sets or reads a setting (see
 * PAIR_CALLS), or "--password", "…" as two items of a list (a container's args): the quoted
 * literal after the comma at `i`.
 */
function pairedAfter(text: string, keyStart: number, i: number): Assigned | undefined {
  let b = keyStart - 2;
  while (b >= 0 && isBlank(text.charCodeAt(b))) b--;
  if (text.charCodeAt(keyStart) === 45) {
    const before = text.charCodeAt(b);
    if (b >= 0 && before !== 91 && before !== 44 && !isEnd(before)) return undefined;
  } else {
    if (text.charCodeAt(b) !== 40) return undefined;
    let nameStart = b;
    while (nameStart > 0 && b - nameStart < 32 && (isLetter(text.charCodeAt(nameStart - 1)) || text.charCodeAt(nameStart - 1) === 95)) nameStart--;
    if (!PAIR_CALLS.has(text.slice(nameStart, b).toLowerCase())) return undefined;
  }
  while (i < text.length && i - keyStart < MAX_KEY + MAX_ALIGN && isBlank(text.charCodeAt(i))) i++;
  const q = text.charCodeAt(i);
  if (!isQuote(q) || q === 96) return undefined;
  const end = closing(text, i, q);
  if (end < 0 || (end < text.length && joinedAt(text, end))) return undefined;
  return { valueStart: i + 1, valueEnd: end, open: end === text.length, form: 'quoted' };
}

/**
 * A flag as a YAML list's item, its argument the next item: - --password (or "--password") on
 * one line, - … on the next, its value quoted or the rest of that line.
 */
function nextItemAfter(text: string, keyStart: number, lineEnd: number): Assigned | undefined {
  const n = text.length;
  if (text.charCodeAt(keyStart) !== 45) return undefined;
  let b = keyStart - 1;
  if (isQuote(text.charCodeAt(b))) b--;
  while (b >= 0 && isBlank(text.charCodeAt(b))) b--;
  if (text.charCodeAt(b) !== 45 || !firstOnLine(text, b)) return undefined;
  let i = lineEnd + (text.charCodeAt(lineEnd) === 13 && text.charCodeAt(lineEnd + 1) === 10 ? 2 : 1);
  while (i < n && i - lineEnd < MAX_INDENT && isBlank(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 45 || !isBlank(text.charCodeAt(i + 1))) return undefined;
  i += 2;
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  const q = text.charCodeAt(i);
  if (isQuote(q) && q !== 96) {
    const end = closing(text, i, q);
    return end < 0 ? undefined : { valueStart: i + 1, valueEnd: end, open: end === n, form: 'quoted' };
  }
  if (q === 45) return undefined; // the next flag
  let end = lines.end(text, i);
  if (end - i > MAX_VALUE) return undefined;
  const open = end === n;
  while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
  return { valueStart: i, valueEnd: end, open, form: 'colon-line' };
}

/** Whether only blanks come before `at` on its line. */
function firstOnLine(text: string, at: number): boolean {
  let i = at;
  while (i > 0 && isBlank(text.charCodeAt(i - 1))) i--;
  return lineBreakBefore(text, i);
}

/**
 * <password>…</password>, as Maven's settings.xml and .NET configs hold one: the text up to the
 * element's own closing tag, on one line. A type argument (List<Token>) is not an element.
 */
function elementAfter(text: string, keyStart: number, keyEnd: number): Assigned | undefined {
  const n = text.length;
  if (text.charCodeAt(keyEnd) !== 62 || (keyStart > 1 && isKeyChar(text.charCodeAt(keyStart - 2)))) return undefined;
  const start = keyEnd + 1;
  let end = start;
  while (end < n && text.charCodeAt(end) !== 60 && !isEnd(text.charCodeAt(end))) if (++end - start > MAX_VALUE) return undefined;
  if (end === n) return { valueStart: start, valueEnd: end, open: true, form: 'element' };
  const closeTag = `</${text.slice(keyStart, keyEnd)}>`;
  // Still forming at a stream's end: the closing tag may be cut.
  if (n - end < closeTag.length && closeTag.startsWith(text.slice(end))) return { valueStart: start, valueEnd: end, open: true, form: 'element' };
  return text.startsWith(closeTag, end) ? { valueStart: start, valueEnd: end, open: false, form: 'element' } : undefined;
}

/**
 * The scanner for the sensitive key `names` (as the policy gives them). Its gates are a key's
 * last letters (then maybe a number, a quote, a bracket) before `=` or `:`, and a long flag.
 */
export function assignments(names: readonly string[], isSensitiveKey: KeyMatcher, mayBeSensitiveKey: KeyFilter, replacement?: Replacement): ScanRule {
  // An XML attribute pair's value ends in "ue" (<add key="DbPassword" value="…"/>). A quoted key
  // gates only before "=": with a colon it is a quoted member, and JSON text has one every few
  // characters (and, with a comma, one every few more). A call's quoted first argument gates a
  // call that sets a setting (define('DB_PASSWORD', …)). Four blanks after a key gate an aligned assignment; "]" or "**" may close a key (["password"] =, **Password**:).
  const gates = [
    ...new Set([
      ...keyGates(names, `[\\]*]{0,2}[ \t]{0,3}[=:]`, '[=:]', ['ue']),
      ...keyGates(names, `["']\\]?[ \t]{0,3}=`, '[=:]'),
      ...keyGates(names, `["']?[ \t][ \t][ \t][ \t]`, '[=:]'),
      ...keyGates(names, '>', '>'),
    ]),
    ...keyGates(names, `[ \t]{1,3}["']`, '[=:]'),
    ...keyGates(names, `[ \t]{1,3}[sS]tring[ \t]`, '[=:]'),
    ...keyGates(names, `"[ \t]{0,3}\\{`, '[=:]'),
    '--[A-Za-z]',
    '[ \t]-[A-Za-z]',
    `\\([ \t]{0,3}["']`,
  ];
  const sensitive = (text: string, start: number, end: number) => mayBeSensitiveKey(text, start, end) && isSensitiveKey(text.slice(start, end));

  /** Where the key that ends at `keyEnd` starts, read back over key characters. */
  const keyStartBefore = (text: string, keyEnd: number): number | undefined => {
    let start = keyEnd;
    while (start > 0 && isKeyChar(text.charCodeAt(start - 1))) {
      // A line break escaped in JSON (\npassword: …) is no part of the key.
      if (text.charCodeAt(start - 2) === 92 && (text.charCodeAt(start - 1) === 110 || text.charCodeAt(start - 1) === 114)) break;
      if (keyEnd - --start > MAX_KEY) return undefined;
    }
    return start === keyEnd ? undefined : start;
  };
  /**
   * Whether text[start, end) is the `value` attribute of an XML element whose `key` or `name`
   * attribute before it is sensitive (appSettings' and NuGet.config's <add key="…" value="…"/>).
   */
  const isPairValue = (text: string, start: number, end: number): boolean => {
    if (end - start !== 5 || text.slice(start, end).toLowerCase() !== 'value') return false;
    for (let i = start - 1; i >= 0 && start - i <= PAIR_LOOKBACK; i--) {
      const c = text.charCodeAt(i);
      if (c === 62 || isEnd(c)) return false;
      if (c !== 60) continue;
      let name: string | undefined;
      for (const m of text.slice(i, start).matchAll(PAIR_NAME)) name = m[2];
      return name !== undefined && isSensitiveKey(name);
    }
    return false;
  };
  /** The key whose separator is at `at` (`=`, `:` or an element's `>`), past a closing quote or bracket and blanks. */
  const keyEndingBefore = (text: string, at: number): number => {
    let i = at;
    while (i > 0 && at - i < MAX_ALIGN && isBlank(text.charCodeAt(i - 1))) i--;
    if (isStrong(text, i - 2)) return i - 2;
    if (text.charCodeAt(i - 1) === 93) i--;
    if (isQuote(text.charCodeAt(i - 1))) i--;
    return i;
  };
  /** The assignment whose separator is at `at`, if its key is sensitive. */
  const assignedAt = (text: string, at: number, lazy = false): Assigned | undefined => {
    const keyEnd = keyEndingBefore(text, at);
    const keyStart = keyStartBefore(text, keyEnd);
    if (keyStart === undefined) return undefined;
    if (!sensitive(text, keyStart, keyEnd) && !(text.charCodeAt(at) === 61 && isPairValue(text, keyStart, keyEnd))) return undefined;
    return assignedAfter(text, keyStart, keyEnd, lazy);
  };
  /** The assignment read from a gate's start: a key's last letters, a separator, a flag's dashes, or a call's parenthesis. */
  const fromGate = (text: string, start: number, lazy = false): Assigned | undefined => {
    // A single dash's flag is gated from the blank before it.
    if (isBlank(text.charCodeAt(start)) && text.charCodeAt(start + 1) === 45 && text.charCodeAt(start + 2) !== 45) start++;
    if (text.charCodeAt(start) === 40) {
      // The call's first argument, a quoted name, then a comma (pairedAfter reads the rest).
      let i = start + 1;
      while (isBlank(text.charCodeAt(i))) i++;
      const quote = text.charCodeAt(i);
      const keyStart = i + 1;
      let keyEnd = keyStart;
      while (keyEnd < text.length && keyEnd - keyStart <= MAX_KEY && isKeyChar(text.charCodeAt(keyEnd))) keyEnd++;
      if (keyEnd === keyStart || text.charCodeAt(keyEnd) !== quote || !sensitive(text, keyStart, keyEnd)) return undefined;
      return assignedAfter(text, keyStart, keyEnd, lazy);
    }
    if (text.charCodeAt(start) === 45) {
      // A flag, its name read forward; it follows white space, or opens a list's quoted item (["--password", "…"]).
      let before = text.charCodeAt(start - 1);
      if (start > 1 && isQuote(before)) before = text.charCodeAt(start - 2);
      if (start > 0 && !isBlank(before) && !isEnd(before) && before !== 91 && before !== 44) return undefined;
      let keyEnd = start + (text.charCodeAt(start + 1) === 45 ? 2 : 1);
      const limit = Math.min(text.length, start + MAX_KEY + 1);
      while (keyEnd < limit && isKeyChar(text.charCodeAt(keyEnd))) keyEnd++;
      if (keyEnd === limit || !sensitive(text, start, keyEnd)) return undefined;
      return assignedAfter(text, start, keyEnd, lazy);
    }
    // A key, blanks and a quote (Groovy's password 'hunter2') or a type (Go's password string = "…"): assignedAfter reads it.
    let keyEnd = start;
    while (keyEnd < text.length && keyEnd - start < MAX_KEY && isKeyChar(text.charCodeAt(keyEnd))) keyEnd++;
    let afterBlanks = keyEnd;
    while (afterBlanks - keyEnd < 3 && isBlank(text.charCodeAt(afterBlanks))) afterBlanks++;
    const after = text.charCodeAt(afterBlanks);
    if (after === 34 && afterBlanks === keyEnd) {
      // Terraform's variable block ("db_password" {), whose default is read inside it.
      let brace = keyEnd + 1;
      while (brace - keyEnd <= 4 && isBlank(text.charCodeAt(brace))) brace++;
      const keyStart = keyStartBefore(text, keyEnd);
      if (text.charCodeAt(brace) !== 123 || keyStart === undefined || text.charCodeAt(keyStart - 1) !== 34 || !sensitive(text, keyStart, keyEnd)) return undefined;
      // A block inside one read already would be a variable nested in a block, which HCL has
      // not: skipping it reads each character once, however many such keys and braces repeat.
      if (text === readBlock.text && brace < readBlock.to) return undefined;
      return defaultIn(text, brace);
    }
    if (afterBlanks > keyEnd && (after === 34 || after === 39 || after === 115 || after === 83)) {
      const keyStart = keyStartBefore(text, keyEnd);
      return keyStart !== undefined && sensitive(text, keyStart, keyEnd) ? assignedAfter(text, keyStart, keyEnd, lazy) : undefined;
    }
    // The separator ends the gate, maybe after aligning blanks; the key is read back from it.
    let at = start;
    const limit = Math.min(text.length, start + 8 + MAX_ALIGN);
    while (at < limit && !isSeparator(text.charCodeAt(at))) at++;
    return at === limit ? undefined : assignedAt(text, at, lazy);
  };

  return {
    id: SENSITIVE_KEY_RULE,
    gates,
    scan(text, starts, emit) {
      let from = 0;
      let skip = 0;
      for (const start of starts) {
        if (start < from || start < skip) continue;
        const found = fromGate(text, start);
        if (found === undefined) {
          // Inside a run too long to be a value (pwd=password=… repeated), every later candidate's is too.
          if (overlong > start) skip = overlong - MAX_VALUE - 1;
          continue;
        }
        // An element whose closing tag never came is no element (List<Token> at the end).
        if (found.valueStart < from || (found.form === 'element' && found.open)) continue;
        if (noValue(text.slice(found.valueStart, found.valueEnd), found.form)) continue;
        emit(found.valueStart, found.valueEnd);
        from = found.valueEnd;
      }
      runs.forget();
      lines.forget();
      overlong = -1;
      readBlock.text = '';
      readBlock.to = -1;
    },
    // A value that reaches the end of a stream's text (in quotes, or the rest of a line) is
    // held from its start: what follows decides where it ends and whether it is code. A value
    // in one run is the last word, which the engine holds anyway; a key and its separator may go
    // out, as the context kept with the next text still holds them.
    holdFrom(text) {
      const n = text.length;
      const floor = Math.max(0, n - MAX_KEY - MAX_VALUE - MAX_INDENT);
      // Read back no further than the floor: lastIndexOf would read a text without '\r' whole.
      let lineStart = n;
      while (lineStart > floor && text.charCodeAt(lineStart - 1) !== 10 && text.charCodeAt(lineStart - 1) !== 13) lineStart--;
      let hold = n;
      CANDIDATE.lastIndex = lineStart;
      for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
        const found = m[0] === '--' ? fromGate(text, m.index, true) : assignedAt(text, m.index, true);
        if (found !== undefined && found.open && found.valueStart < n && found.form !== 'run') {
          hold = found.valueStart;
          break;
        }
      }
      CANDIDATE.lastIndex = 0;
      lines.forget();
      return hold;
    },
    // A line's rest is a guess at a value's end: "token: xoxb-… (rotate it)" masks the token alone.
    yields: true,
    ...(replacement && { replacement }),
  };
}
