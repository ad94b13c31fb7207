// A Content-Type read as RFC 9110 §8.3 writes it: `type/subtype`, then `;`-separated parameters,
// each a token, `=`, and a token or a quoted string (`\` escapes inside), names in any case. Read
// as leniently as the servers behind the gateway read it: whitespace around `;` and `=` is allowed
// (`charset = utf-7` is a charset to them). What cannot be read this way is `malformed`, so that a
// caller who must know the charset refuses it rather than guessing.

export interface ContentType {
  /** `type/subtype`, lower-case; '' when there is no Content-Type. */
  type: string;
  /** Parameter names (lower-case, a trailing RFC 8187 `*` kept) → values, unquoted, in order. */
  params: Array<[string, string]>;
  /** A type that is not `type/subtype` (or two joined: `a/b, c/d`), a parameter without `=`, an unclosed quote. */
  malformed: boolean;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseContentType(value: string | null): ContentType {
  if (value === null || value.trim() === '') return { type: '', params: [], malformed: false };
  const { pieces, broken } = splitOutsideQuotes(value);
  const [head = '', ...rest] = pieces;
  const type = head.trim().toLowerCase();
  const [main, sub, ...more] = type.split('/');
  let malformed = broken || !TOKEN.test(main ?? '') || !TOKEN.test(sub ?? '') || more.length > 0;
  const params: Array<[string, string]> = [];
  for (const piece of rest) {
    if (piece.trim() === '') continue;
    const at = piece.indexOf('=');
    const name = (at < 0 ? piece : piece.slice(0, at)).trim().toLowerCase();
    const raw = at < 0 ? '' : piece.slice(at + 1).trim();
    const quoted = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2;
    // A value outside the token set is taken as written: clients send boundaries that way.
    if (at < 0 || !TOKEN.test(name)) malformed = true;
    params.push([name, quoted ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw]);
  }
  return { type, params, malformed };
}

/** The parameters named `name` (and its RFC 8187 `name*` form), values lower-cased. */
export function paramValues(contentType: ContentType, name: string): string[] {
  return contentType.params.filter(([key]) => key === name || key === `${name}*`).map(([, value]) => value.toLowerCase());
}

export const isJsonType = (type: string) => type === 'application/json' || type.endsWith('+json');
export const isFormType = (type: string) => type === 'application/x-www-form-urlencoded';

/** Splits at `;` outside quoted strings; broken: a quote left open. */
function splitOutsideQuotes(value: string): { pieces: string[]; broken: boolean } {
  const pieces: string[] = [];
  let piece = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\' && i + 1 < value.length) {
      piece += c + value[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && c === ';') {
      pieces.push(piece);
      piece = '';
    } else piece += c;
  }
  pieces.push(piece);
  return { pieces, broken: quoted };
}
