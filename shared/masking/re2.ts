// Translates Go RE2 syntax (gitleaks packs, policy rules) to a JavaScript RegExp source.
// JavaScript (Node 20) has no inline flags, so `(?i)`, `(?i:…)`, `(?-i:…)`, `(?s)` and `(?m)`
// are rewritten: case folding becomes explicit `[aA]` classes where only part of the pattern
// is case-insensitive (the `i` flag when all of it is), `.` under `s` becomes `[\s\S]`, `^`/`$`
// under `m` become lookarounds. POSIX classes, `\A`, `\z`, `\Q…\E`, `\x{…}` and `(?P<name>…)`
// are translated too. What has no JavaScript equivalent is reported with the reason.

export type Translation =
  | { ok: true; source: string; flags: string }
  | { ok: false; reason: string };

interface Mode {
  i: boolean;
  s: boolean;
  m: boolean;
}

const POSIX: Record<string, string> = {
  alnum: 'a-zA-Z0-9', alpha: 'a-zA-Z', ascii: '\\x00-\\x7F', blank: ' \\t', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '\\w', xdigit: '0-9A-Fa-f',
};

class Untranslatable extends Error {}

const fail = (reason: string): never => {
  throw new Untranslatable(reason);
};

const hex4 = (code: number) => '\\u' + code.toString(16).padStart(4, '0');

/** A literal code unit as JavaScript regex source, outside a class. */
function literal(ch: string): string {
  if ('\\^$.|?*+()[]{}/'.includes(ch)) return '\\' + ch;
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? hex4(code) : ch;
}

/** A literal code unit as class-member source. */
function classLiteral(ch: string): string {
  if ('\\]^-['.includes(ch)) return '\\' + ch;
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? hex4(code) : ch;
}

function otherCase(ch: string): string | undefined {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  if (lower.length !== 1 || upper.length !== 1) return undefined;
  if (lower !== ch) return lower;
  if (upper !== ch) return upper;
  return undefined;
}

export function translateRe2(pattern: string): Translation {
  try {
    const folded = new Translator(pattern, false).run();
    if (!folded.usesCaseInsensitive) return { ok: true, source: folded.source, flags: '' };
    if (folded.allCaseInsensitive) return { ok: true, source: new Translator(pattern, true).run().source, flags: 'i' };
    return { ok: true, source: folded.source, flags: '' };
  } catch (error) {
    if (error instanceof Untranslatable) return { ok: false, reason: error.message };
    throw error;
  }
}

class Translator {
  private i = 0;
  private out = '';
  private sawSensitive = false;
  private sawInsensitive = false;

  /** `flagI`: the JavaScript `i` flag will be set, so no explicit folding is written. */
  constructor(
    private readonly src: string,
    private readonly flagI: boolean,
  ) {}

  run() {
    this.alternation({ i: false, s: false, m: false });
    if (this.i < this.src.length) fail(`unbalanced ")" at ${this.i}`);
    return {
      source: this.out,
      usesCaseInsensitive: this.sawInsensitive,
      allCaseInsensitive: this.sawInsensitive && !this.sawSensitive,
    };
  }

  /** Letters seen under each mode decide between the `i` flag and explicit folding. */
  private noteLetter(ch: string, mode: Mode) {
    if (otherCase(ch) === undefined) return;
    if (mode.i) this.sawInsensitive = true;
    else this.sawSensitive = true;
  }

  private alternation(start: Mode): void {
    const mode = { ...start };
    while (this.i < this.src.length) {
      const ch = this.src[this.i]!;
      if (ch === ')') return;
      if (ch === '|') {
        this.out += '|';
        this.i++;
        continue;
      }
      this.atom(mode);
      this.quantifier();
    }
  }

  private atom(mode: Mode): void {
    const ch = this.src[this.i++]!;
    switch (ch) {
      case '(':
        return this.group(mode);
      case '[':
        return this.charClass(mode);
      case '\\':
        return this.escape(mode);
      case '.':
        this.out += mode.s ? '[\\s\\S]' : '[^\\n]';
        return;
      case '^':
        this.out += mode.m ? '(?<![^\\n])' : '^';
        return;
      case '$':
        this.out += mode.m ? '(?![^\\n])' : '$';
        return;
      case '*':
      case '+':
      case '?':
        fail(`nothing to repeat at ${this.i - 1}`);
        return;
      default:
        this.literalChar(ch, mode);
    }
  }

  private literalChar(ch: string, mode: Mode) {
    this.noteLetter(ch, mode);
    const other = otherCase(ch);
    if (mode.i && !this.flagI && other !== undefined) this.out += `[${classLiteral(ch)}${classLiteral(other)}]`;
    else this.out += literal(ch);
  }

  private quantifier() {
    const ch = this.src[this.i];
    if (ch === '*' || ch === '+' || ch === '?') {
      this.out += ch;
      this.i++;
    } else if (ch === '{') {
      const m = /^\{(\d+)(?:,(\d*))?\}/.exec(this.src.slice(this.i, this.i + 16));
      if (!m) return;
      if (Number(m[1]) > 1000 || (m[2] !== undefined && m[2] !== '' && Number(m[2]) > 1000)) fail('repeat count above 1000');
      this.out += m[0];
      this.i += m[0].length;
    } else {
      return;
    }
    if (this.src[this.i] === '?') {
      this.out += '?';
      this.i++;
    }
    const next = this.src[this.i];
    if (next === '*' || next === '+' || next === '?') fail(`repeated repetition at ${this.i}`);
  }

  private group(mode: Mode): void {
    const rest = this.src.slice(this.i);
    if (!rest.startsWith('?')) return this.capture('(', mode);
    const named = /^\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this.i += named[0].length;
      return this.capture(`(?<${named[1]}>`, mode);
    }
    if (rest.startsWith('?=') || rest.startsWith('?!') || rest.startsWith('?<')) {
      fail('lookaround is not RE2 syntax');
    }
    const flags = /^\?([a-zA-Z]*)(?:-([a-zA-Z]*))?(:|\))/.exec(rest);
    if (!flags) fail(`unknown group syntax "(${rest.slice(0, 4)}"`);
    const [whole, on = '', off = '', end] = flags!;
    const next: Mode = { ...mode };
    for (const [letters, value] of [[on, true], [off, false]] as const) {
      for (const f of letters) {
        if (f === 'i' || f === 's' || f === 'm') next[f] = value;
        else if (f === 'U') fail('ungreedy flag (?U) has no JavaScript equivalent');
        else fail(`unknown flag "${f}"`);
      }
    }
    this.i += whole.length;
    if (end === ')') {
      // `(?i)` changes the mode for the rest of the enclosing group.
      Object.assign(mode, next);
      return;
    }
    this.capture('(?:', next);
  }

  private capture(open: string, mode: Mode) {
    this.out += open;
    this.alternation(mode);
    if (this.src[this.i] !== ')') fail('missing ")"');
    this.i++;
    this.out += ')';
  }

  private escape(mode: Mode): void {
    const ch = this.src[this.i++];
    if (ch === undefined) fail('trailing backslash');
    switch (ch) {
      case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'b': case 'B':
      case 'n': case 'r': case 't': case 'f': case 'v':
        this.out += '\\' + ch;
        return;
      case 'a':
        this.out += '\\x07';
        return;
      case 'A':
        this.out += '^';
        return;
      case 'z':
        this.out += '$';
        return;
      case 'Q': {
        const end = this.src.indexOf('\\E', this.i);
        const text = this.src.slice(this.i, end === -1 ? undefined : end);
        this.i = end === -1 ? this.src.length : end + 2;
        for (const c of text) this.literalChar(c, mode);
        return;
      }
      case 'x': {
        const code = this.hexEscape();
        this.literalChar(String.fromCharCode(code), mode);
        return;
      }
      case 'p':
      case 'P':
        fail(`Unicode class \\${ch}${this.src[this.i] === '{' ? this.src.slice(this.i, this.src.indexOf('}', this.i) + 1) : this.src[this.i]} is not translated`);
        return;
      case 'C':
        fail('\\C (any byte) has no JavaScript equivalent');
        return;
      default:
        if (/[0-9]/.test(ch!)) fail(`backreference or octal escape \\${ch} is not RE2 syntax`);
        if (/[A-Za-z]/.test(ch!)) fail(`unknown escape \\${ch}`);
        this.out += literal(ch!);
    }
  }

  private hexEscape(): number {
    if (this.src[this.i] === '{') {
      const end = this.src.indexOf('}', this.i);
      const digits = this.src.slice(this.i + 1, end);
      if (end === -1 || !/^[0-9A-Fa-f]{1,6}$/.test(digits)) fail('bad \\x{…} escape');
      const code = parseInt(digits, 16);
      if (code > 0xffff) fail(`\\x{${digits}} is outside the Basic Multilingual Plane`);
      this.i = end + 1;
      return code;
    }
    const digits = this.src.slice(this.i, this.i + 2);
    if (!/^[0-9A-Fa-f]{2}$/.test(digits)) fail('bad \\x escape');
    this.i += 2;
    return parseInt(digits, 16);
  }

  private charClass(mode: Mode): void {
    let negated = false;
    if (this.src[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let body = '';
    let first = true;
    const addRange = (lo: number, hi: number) => {
      body += lo === hi ? classLiteral(String.fromCharCode(lo)) : `${classLiteral(String.fromCharCode(lo))}-${classLiteral(String.fromCharCode(hi))}`;
      for (const [from, to, shift] of [[97, 122, -32], [65, 90, 32]] as const) {
        const a = Math.max(lo, from);
        const b = Math.min(hi, to);
        if (a > b) continue;
        this.noteLetter(String.fromCharCode(a), mode);
        if (mode.i && !this.flagI) body += `${String.fromCharCode(a + shift)}-${String.fromCharCode(b + shift)}`;
      }
    };
    while (true) {
      if (this.i >= this.src.length) fail('missing "]"');
      const ch = this.src[this.i]!;
      if (ch === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (ch === '[' && this.src[this.i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
        if (m) {
          const set = POSIX[m[2]!];
          if (set === undefined) fail(`unknown POSIX class [:${m[2]}:]`);
          if (m[1]) fail(`negated POSIX class [:^${m[2]}:] inside a class is not translated`);
          if (m[2] === 'lower' || m[2] === 'upper') addRange(m[2] === 'lower' ? 97 : 65, m[2] === 'lower' ? 122 : 90);
          else {
            body += set;
            if (/[a-zA-Z]-/.test(set!)) this.noteLetter('a', mode);
          }
          this.i += m[0].length;
          continue;
        }
      }
      const lo = this.classAtom();
      if (typeof lo === 'string') {
        body += lo;
        continue;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi === 'string') fail('class range ends in a class escape');
        if ((hi as number) < lo) fail('class range out of order');
        addRange(lo, hi as number);
      } else {
        addRange(lo, lo);
      }
    }
    this.out += `[${negated ? '^' : ''}${body}]`;
  }

  /** One class member: a code unit (number), or a class escape such as `\d` kept as source (string). */
  private classAtom(): number | string {
    const ch = this.src[this.i++]!;
    if (ch !== '\\') return ch.charCodeAt(0);
    const e = this.src[this.i++];
    if (e === undefined) fail('trailing backslash');
    switch (e) {
      case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
        return '\\' + e;
      case 'n': return 10;
      case 'r': return 13;
      case 't': return 9;
      case 'f': return 12;
      case 'v': return 11;
      case 'a': return 7;
      case 'x': return this.hexEscape();
      case 'p':
      case 'P':
        fail(`Unicode class \\${e} is not translated`);
        return 0;
      default:
        if (/[A-Za-z0-9]/.test(e!)) fail(`unknown escape \\${e} in class`);
        return e!.charCodeAt(0);
    }
  }
}
