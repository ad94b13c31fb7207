// Words of a parsed shell command as bash turns them into arguments: quotes and escapes removed,
// $'…' decoded, {a,b} and {1..3} expanded. What only the running shell knows (expansions, globs)
// is kept as written and marks the word dynamic.
import sh, { type Pos, type ShNode } from 'mvdan-sh';

const { syntax } = sh;

export interface Word {
  text: string;
  /** Holds an expansion ($VAR, $(…), $((…))) or a glob: its value is only known when it runs. */
  dynamic: boolean;
}

/** One character of a word, `active` when unquoted and unescaped (where braces expand). */
interface Char {
  text: string;
  active: boolean;
}

/** More words than this from one brace expansion: judged as written, dynamic. */
const MAX_BRACE_WORDS = 256;

export class Text {
  constructor(private readonly source: string) {}

  slice(node: ShNode): string {
    return this.source.slice(node.Pos().Offset(), node.End().Offset());
  }

  /** The operator or word starting at `pos` (`-eq`, `-v`). */
  token(pos: Pos): string {
    return /^\S*/.exec(this.source.slice(pos.Offset()))![0];
  }

  operator(pos: Pos): string {
    const at = this.source.slice(pos.Offset(), pos.Offset() + 3);
    return /^(?:&>>|&>|>>|>\||>&|<<<|<<-|<<|<>|<&|\|&|\|\||&&|\||>|<)/.exec(at)?.[0] ?? '';
  }

  /** A word where bash does no brace expansion (assignments, redirections, here-strings). */
  word(word: ShNode): Word {
    const out = { text: '', dynamic: false };
    for (const part of word.Parts as ShNode[]) this.part(part, false, out);
    return out;
  }

  /** A here-document's body: expanded as inside double quotes, or not at all (<<'EOF'). */
  heredoc(body: ShNode, delimiter: ShNode): Word {
    const quoted = (delimiter.Parts as ShNode[]).some((p) => syntax.NodeType(p) !== 'Lit') || /\\/.test(this.slice(delimiter));
    if (quoted) return { text: (body.Parts as ShNode[]).map((p) => p.Value as string).join(''), dynamic: false };
    const out = { text: '', dynamic: false };
    for (const part of body.Parts as ShNode[]) this.part(part, true, out);
    return out;
  }

  /** The arguments a command word becomes: one, or several by brace expansion. */
  words(word: ShNode): Word[] {
    const single = this.word(word);
    const chars: Char[] = [];
    for (const part of word.Parts as ShNode[]) {
      if (syntax.NodeType(part) !== 'Lit') chars.push({ text: this.partText(part), active: false });
      else for (const c of unescape(part.Value as string)) chars.push(c);
    }
    if (!chars.some((c) => c.active && c.text === '{')) return [single];
    const texts = expandBraces(chars);
    if (texts.length > MAX_BRACE_WORDS) return [{ text: single.text, dynamic: true }];
    return texts.map((text) => ({ text, dynamic: single.dynamic }));
  }

  private partText(part: ShNode): string {
    const out = { text: '', dynamic: false };
    this.part(part, false, out);
    return out.text;
  }

  private part(part: ShNode, quoted: boolean, out: Word): void {
    switch (syntax.NodeType(part)) {
      case 'Lit': {
        const value = part.Value as string;
        // A glob: * or ?, or a bracket expression (a lone `[` is the test command).
        if (!quoted && /[*?]|\[.*\]/s.test(value)) out.dynamic = true;
        out.text += quoted ? value.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c)) : unescape(value).map((c) => c.text).join('');
        break;
      }
      case 'SglQuoted':
        out.text += part.Dollar ? ansiC(part.Value as string) : (part.Value as string);
        break;
      case 'DblQuoted':
        for (const inner of part.Parts as ShNode[]) this.part(inner, true, out);
        break;
      default:
        // Expansions: the text as written, and the word marked as known only at run time.
        out.dynamic = true;
        out.text += this.slice(part);
    }
  }
}

/** An unquoted literal's characters, backslash escapes resolved (and inactive). */
function unescape(value: string): Char[] {
  const out: Char[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '\\') out.push({ text: value[i]!, active: true });
    else if (value[++i] !== '\n' && i < value.length) out.push({ text: value[i]!, active: false });
  }
  return out;
}

const C_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** The value of $'…' as bash decodes it: C escapes, octal, \x, \u, \U and \c control characters. */
export function ansiC(raw: string): string {
  return raw.replace(/\\(?:([abeEfnrtv\\'"?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|c(.)|)/gs, (all, simple?: string, octal?: string, hex?: string, u?: string, big?: string, control?: string) => {
    if (simple) return C_ESCAPES[simple]!;
    if (octal) return String.fromCharCode(parseInt(octal, 8) & 0xff);
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    const code = parseInt(u ?? big ?? '', 16);
    if (!Number.isNaN(code)) return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    if (control) return String.fromCharCode(control === '?' ? 0x7f : control.toUpperCase().charCodeAt(0) & 0x1f);
    return all;
  });
}

/**
 * Bash's brace expansion: the first {a,b} or {x..y[..step]} whose braces and commas are unquoted
 * is expanded, then each result again. Stops early past MAX_BRACE_WORDS.
 */
function expandBraces(chars: Char[]): string[] {
  for (let open = 0; open < chars.length; open++) {
    if (!isActive(chars[open], '{') || isActive(chars[open - 1], '$')) continue;
    const alternatives = braceAlternatives(chars, open);
    if (!alternatives) continue;
    const { items, close } = alternatives;
    const out: string[] = [];
    for (const item of items) {
      for (const text of expandBraces([...chars.slice(0, open), ...item, ...chars.slice(close + 1)])) {
        out.push(text);
        if (out.length > MAX_BRACE_WORDS) return out;
      }
    }
    return out;
  }
  return [chars.map((c) => c.text).join('')];
}

const isActive = (c: Char | undefined, text: string) => c?.active === true && c.text === text;

/** The alternatives of the brace expression opening at `open`, if it is one. */
function braceAlternatives(chars: Char[], open: number): { items: Char[][]; close: number } | undefined {
  let depth = 0;
  const commas: number[] = [];
  for (let i = open + 1; i < chars.length; i++) {
    const c = chars[i]!;
    if (isActive(c, '{')) depth++;
    else if (isActive(c, ',') && depth === 0) commas.push(i);
    else if (isActive(c, '}') && depth-- === 0) {
      if (commas.length > 0) {
        const bounds = [open, ...commas, i];
        return { items: bounds.slice(1).map((end, k) => chars.slice(bounds[k]! + 1, end)), close: i };
      }
      const sequence = braceSequence(chars.slice(open + 1, i));
      return sequence && { items: sequence.map((s) => [...s].map((text) => ({ text, active: false }))), close: i };
    }
  }
  return undefined;
}

/** {1..5}, {a..e}, {10..1..3}: the terms, or undefined when it is not a sequence. */
function braceSequence(inner: Char[]): string[] | undefined {
  const text = inner.map((c) => c.text).join('');
  const numeric = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(text);
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.(-?\d+))?$/.exec(text);
  const match = numeric ?? letters;
  if (!match || inner.some((c) => !c.active)) return undefined;
  const [from, to] = numeric ? [Number(match[1]), Number(match[2])] : [match[1]!.charCodeAt(0), match[2]!.charCodeAt(0)];
  const step = Math.abs(Number(match[3] ?? 1)) || 1;
  const width = numeric && /^-?0\d/.test(match[1]! + match[2]!) ? Math.max(match[1]!.length, match[2]!.length) : 0;
  const out: string[] = [];
  for (let n = from; from <= to ? n <= to : n >= to; n += from <= to ? step : -step) {
    out.push(numeric ? String(n).padStart(width, '0') : String.fromCharCode(n));
    if (out.length > MAX_BRACE_WORDS) break;
  }
  return out;
}

/**
 * The arguments `env -S STRING` makes of STRING (coreutils' split-string: quotes, backslash
 * escapes, \_ separating like a space outside quotes, # comments); undefined when it expands ${VAR}
 * or stops at \c.
 */
export function splitString(value: string): string[] | undefined {
  if (/\$|\\c/.test(value)) return undefined;
  const out: string[] = [];
  let current: string | undefined;
  const ESCAPES: Record<string, string> = { _: ' ', n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (/\s/.test(c)) {
      if (current !== undefined) out.push(current);
      current = undefined;
    } else if (c === '#' && current === undefined) break;
    else if (c === "'" || c === '"') {
      const end = value.indexOf(c, i + 1);
      if (end === -1) return undefined;
      const inner = value.slice(i + 1, end);
      current = (current ?? '') + (c === '"' ? inner.replace(/\\(.)/gs, (_, e: string) => ESCAPES[e] ?? e) : inner);
      i = end;
    } else if (c === '\\' && value[i + 1] === '_') {
      if (current !== undefined) out.push(current);
      current = undefined;
      i++;
    } else if (c === '\\') {
      const e = value[++i] ?? '';
      current = (current ?? '') + (ESCAPES[e] ?? e);
    } else current = (current ?? '') + c;
  }
  if (current !== undefined) out.push(current);
  return out;
}
