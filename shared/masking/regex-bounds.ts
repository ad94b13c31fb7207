// The shortest and longest text a JavaScript regex (no `u` flag) can match, read from its
// source. Windows around keyword hits and a stream's hold-back are sized from the longest.

interface Length {
  min: number;
  max: number; // Infinity when a quantifier is unbounded or a backreference is used
}

export interface Bounds extends Length {
  /** Longest text a lookahead or lookbehind reads (Infinity when unbounded). */
  look: number;
}

/**
 * The capturing groups of a source (no `v` flag): each `(` not escaped, outside a class, that is
 * not `(?…` unless it is a named group `(?<name>`. Read, where running the regex to count them
 * would compile it.
 */
export function captureGroups(source: string): number {
  let count = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      // `[]` is an empty class: its `]` closes it.
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (c === '(' && (source[i + 1] !== '?' || (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!'))) count++;
  }
  return count;
}

/**
 * Bounds already measured, by source: analysing a rule measures its parts again and again (11,725
 * measurements of 1,351 sources for the built-in rules). Kept across maskers, as a policy reload
 * compiles the same rules; emptied past a size no set of rules reaches.
 */
const measured = new Map<string, Bounds>();
const MEASURED_LIMIT = 20_000;

export function regexBounds(source: string): Bounds {
  let bounds = measured.get(source);
  if (bounds === undefined) {
    if (measured.size >= MEASURED_LIMIT) measured.clear();
    bounds = Object.freeze(measure(source));
    measured.set(source, bounds);
  }
  return bounds;
}

function measure(source: string): Bounds {
  let i = 0;
  let look = 0;

  const alternation = (): Length => {
    let result = sequence();
    while (source[i] === '|') {
      i++;
      const next = sequence();
      result = { min: Math.min(result.min, next.min), max: Math.max(result.max, next.max) };
    }
    return result;
  };

  const sequence = (): Length => {
    const total = { min: 0, max: 0 };
    while (i < source.length && source[i] !== '|' && source[i] !== ')') {
      const one = quantified(atom());
      total.min += one.min;
      total.max += one.max;
    }
    return total;
  };

  const atom = (): Length => {
    const ch = source[i++]!;
    switch (ch) {
      case '(': {
        let zeroWidth = false;
        if (source[i] === '?') {
          const kind = source.slice(i, i + 3);
          zeroWidth = kind.startsWith('?=') || kind.startsWith('?!') || kind === '?<=' || kind === '?<!';
          if (zeroWidth || kind.startsWith('?:')) i += kind.startsWith('?<') ? 3 : 2;
          else if (kind.startsWith('?<')) i = source.indexOf('>', i) + 1;
        }
        const inner = alternation();
        i++; // ')'
        if (zeroWidth) look = Math.max(look, inner.max);
        return zeroWidth ? { min: 0, max: 0 } : inner;
      }
      case '[':
        skipClass();
        return { min: 1, max: 1 };
      case '\\':
        return escape();
      case '^':
      case '$':
        return { min: 0, max: 0 };
      default:
        return { min: 1, max: 1 };
    }
  };

  const skipClass = () => {
    if (source[i] === '^') i++;
    while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
    i++;
  };

  const escape = (): Length => {
    const ch = source[i++];
    if (ch === 'b' || ch === 'B') return { min: 0, max: 0 };
    if (ch !== undefined && ch >= '1' && ch <= '9') {
      while (/\d/.test(source[i] ?? '')) i++;
      return { min: 0, max: Infinity };
    }
    if (ch === 'k' && source[i] === '<') {
      i = source.indexOf('>', i) + 1;
      return { min: 0, max: Infinity };
    }
    if (ch === 'x') i += 2;
    else if (ch === 'u') i += source[i] === '{' ? source.indexOf('}', i) - i + 1 : 4;
    else if (ch === 'c') i += 1;
    else if ((ch === 'p' || ch === 'P') && source[i] === '{') i = source.indexOf('}', i) + 1;
    return { min: 1, max: 1 };
  };

  const quantified = (base: Length): Length => {
    let result = base;
    const ch = source[i];
    if (ch === '*') {
      i++;
      result = { min: 0, max: base.max === 0 ? 0 : Infinity };
    } else if (ch === '+') {
      i++;
      result = { min: base.min, max: base.max === 0 ? 0 : Infinity };
    } else if (ch === '?') {
      i++;
      result = { min: 0, max: base.max };
    } else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
      if (!m) return base;
      i += m[0].length;
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
      result = { min: base.min * lo, max: base.max === 0 ? 0 : base.max * hi };
    } else {
      return base;
    }
    if (source[i] === '?') i++;
    return result;
  };

  const result = alternation();
  return { min: result.min, max: result.max, look };
}

/** Longest prefix followed, in characters: a keyword is found well within it. */
const PREFIX_CHARS = 32;
/** Most prefixes followed through optional parts and alternatives. */
const PREFIX_COUNT = 256;
/** Most characters of a class followed as alternatives. */
const CLASS_CHARS = 4;

/**
 * Whether every match of the regex begins with one of `keywords` (ASCII case folded): then a
 * match can only start where the prefilter reports a keyword, and the regex need only be tried
 * there, sticky, instead of at every position of a window around it. Read from the source (as
 * regexBounds): the literal strings a match can begin with, through groups, alternatives,
 * optional parts and leading assertions; a class of one letter in both cases is that letter.
 */
export function keywordLed(source: string, keywords: readonly string[]): boolean {
  const wanted = keywords.map((k) => k.toLowerCase()).filter((k) => k.length > 0);
  if (wanted.length === 0) return false;
  let prefixes: Prefix[];
  try {
    prefixes = new PrefixReader(source, (text) => wanted.some((k) => text.startsWith(k))).read();
  } catch {
    return false;
  }
  return prefixes.length > 0 && prefixes.every((p) => p.led);
}

/**
 * Where every match's keyword begins, as an offset from the match's start, when it is fixed:
 * 0 for a keyword-led regex, L when the regex opens with elements of exactly L characters
 * followed by a keyword-led rest (`[a-z0-9]{14}\.atlasv1\.…`). Undefined otherwise.
 */
export function keywordLead(source: string, keywords: readonly string[]): number | undefined {
  if (keywordLed(source, keywords)) return 0;
  const elements = topLevel(source);
  if (!elements) return undefined;
  let at = 0;
  for (let k = 0; k < elements.length - 1; k++) {
    at += elements[k]!.text.length;
    const { min, max } = regexBounds(source.slice(0, at));
    if (min !== max) return undefined;
    if (min > 0 && keywordLed(source.slice(at), keywords)) return min;
  }
  return undefined;
}

interface Prefix {
  text: string;
  /** Whether what follows the prefix is still known (it ended an element, not at an unknown character). */
  open: boolean;
  /** It begins with a keyword: followed no further. */
  led?: boolean;
}

/** Thrown when the prefixes are too many to follow (or a class is not read): the regex is then not keyword-led. */
class TooMany extends Error {}

class PrefixReader {
  private i = 0;
  constructor(
    private readonly source: string,
    private readonly isLed: (text: string) => boolean,
  ) {}

  read(): Prefix[] {
    const result = this.alternation();
    if (this.i !== this.source.length) throw new TooMany();
    for (const p of result) p.led ||= this.isLed(p.text);
    return result;
  }

  /** The prefixes of an alternation, up to the ')' that ends it (not consumed). */
  private alternation(): Prefix[] {
    const all = this.sequence();
    while (this.source[this.i] === '|') {
      this.i++;
      all.push(...this.sequence());
      if (all.length > PREFIX_COUNT) throw new TooMany();
    }
    return all;
  }

  private sequence(): Prefix[] {
    let prefixes: Prefix[] = [{ text: '', open: true }];
    const { source } = this;
    while (this.i < source.length && source[this.i] !== '|' && source[this.i] !== ')') {
      const atom = this.atom();
      const { min, max } = this.quantifier();
      const next: Prefix[] = [];
      for (const p of prefixes) {
        if (!p.open || p.text.length >= PREFIX_CHARS) {
          next.push({ text: p.text, open: false });
          continue;
        }
        if (atom === 'zero') {
          next.push(p);
          continue;
        }
        if (min === 0) next.push(p); // skipped
        if (max === 0) continue;
        if (atom === 'unknown') {
          next.push({ text: p.text, open: false });
          continue;
        }
        // One copy is followed; where more may come, what follows it is unknown.
        for (const a of atom) next.push({ text: p.text + a.text, open: a.open && max === 1 });
      }
      for (const p of next) if (p.open && this.isLed(p.text)) Object.assign(p, { open: false, led: true });
      prefixes = dedupe(next);
      if (prefixes.length > PREFIX_COUNT) throw new TooMany();
    }
    return prefixes;
  }

  /** An atom's prefixes; 'zero' for an assertion, 'unknown' when it is no literal. */
  private atom(): Prefix[] | 'zero' | 'unknown' {
    const { source } = this;
    const ch = source[this.i++]!;
    switch (ch) {
      case '(': {
        let zero = false;
        if (source[this.i] === '?') {
          const kind = source.slice(this.i, this.i + 3);
          zero = kind.startsWith('?=') || kind.startsWith('?!') || kind === '?<=' || kind === '?<!';
          if (zero || kind.startsWith('?:')) this.i += kind.startsWith('?<') ? 3 : 2;
          else if (kind.startsWith('?<')) this.i = source.indexOf('>', this.i) + 1;
          else throw new TooMany();
        }
        const inner = this.alternation();
        if (source[this.i++] !== ')') throw new TooMany();
        return zero ? 'zero' : inner;
      }
      case '[':
        return this.charClass();
      case '\\':
        return this.escape();
      case '^':
      case '$':
        return 'zero';
      case '.':
        return 'unknown';
      default:
        return [{ text: ch.toLowerCase(), open: true }];
    }
  }

  /** A class of a few characters (case folded: `[aA]` is one) is an alternative of them. */
  private charClass(): Prefix[] | 'unknown' {
    const { source } = this;
    const negated = source[this.i] === '^';
    if (negated) this.i++;
    const members = new Set<string>();
    let known = !negated;
    const member = (): string | undefined => {
      const c = source[this.i++]!;
      if (c !== '\\') return c;
      const e = source[this.i++]!;
      if (e === 'x') return String.fromCharCode(parseInt(source.slice(this.i, (this.i += 2)), 16));
      if (/[dDwWsSbBpPuc0-9]/.test(e)) return undefined;
      return e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e;
    };
    while (this.i < source.length && source[this.i] !== ']') {
      const from = member();
      if (source[this.i] === '-' && source[this.i + 1] !== ']') {
        this.i++;
        const to = member();
        if (from === undefined || to === undefined || to.charCodeAt(0) - from.charCodeAt(0) > CLASS_CHARS) known = false;
        else for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) members.add(String.fromCharCode(c).toLowerCase());
      } else if (from === undefined) known = false;
      else members.add(from.toLowerCase());
    }
    this.i++;
    if (!known || members.size === 0 || members.size > CLASS_CHARS) return 'unknown';
    return [...members].map((text) => ({ text, open: true }));
  }

  private escape(): Prefix[] | 'zero' | 'unknown' {
    const { source } = this;
    const e = source[this.i++]!;
    if (e === 'b' || e === 'B') return 'zero';
    if (/[dDwWsSpPk0-9]/.test(e)) return 'unknown';
    if (e === 'x') {
      const code = parseInt(source.slice(this.i, this.i + 2), 16);
      this.i += 2;
      return [{ text: String.fromCharCode(code).toLowerCase(), open: true }];
    }
    if (e === 'u' || e === 'c') return 'unknown';
    const plain = e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' || e === 'v' ? ' ' : e;
    return [{ text: plain.toLowerCase(), open: true }];
  }

  private quantifier(): { min: number; max: number } {
    const { source } = this;
    const ch = source[this.i];
    let q = { min: 1, max: 1 };
    if (ch === '*') q = { min: 0, max: Infinity };
    else if (ch === '+') q = { min: 1, max: Infinity };
    else if (ch === '?') q = { min: 0, max: 1 };
    else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(this.i, this.i + 24));
      if (!m) return q;
      this.i += m[0].length - 1;
      q = { min: Number(m[1]), max: m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]) };
    } else return q;
    this.i++;
    if (source[this.i] === '?') this.i++;
    return q;
  }
}

function dedupe(prefixes: Prefix[]): Prefix[] {
  const seen = new Set<string>();
  return prefixes.filter((p) => {
    const key = `${p.open ? 1 : 0}${p.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Characters of which a match holds one at or after `offset` from its start. */
export interface Needed {
  offset: number;
  /** Membership over ASCII. */
  ascii: Uint8Array;
  /** Whether a character beyond ASCII may be one. */
  beyond: boolean;
  /** The end of the text stands for one (an alternative is `$`). */
  end: boolean;
  /** What a match passes through before it, when every element before it is known (see Gap). */
  gap?: Gap | undefined;
  /** How many of these characters come one after another at least (`[a-f0-9]{48}`: 48). */
  count?: number;
}

/** Most elements before a needed one that a gap follows (one bit each). */
const MAX_GAP_ELEMENTS = 31;

/**
 * The elements a match passes through before a needed element, in order: each as the
 * characters it can hold (a bit per element for each ASCII character, `beyond` for the rest)
 * and its longest length. From the match's start, each character belongs to the element it is
 * in or to a later one, and an element holds at most its longest length: a character that no
 * element from the current one on can take, before a needed character, rules the match out.
 */
export interface Gap {
  /** For each ASCII character, the elements that can hold it (bit i: element i). */
  ascii: Int32Array;
  /** The elements that can hold a character beyond ASCII. */
  beyond: number;
  /** Each element's longest length. */
  max: number[];
  /** Their sum: the needed element starts no further than this from the match's start. */
  longest: number;
}

/**
 * The elements every match must pass through, at the top level of the regex (a character,
 * a class, or a group each of whose alternatives begins with one), as the characters one of
 * them holds and the least offset it can have. A hit with none of them within its reach cannot
 * match, and is skipped unread.
 */
export function neededCharacters(source: string, flags: string, start = 0): Needed[] {
  const elements = topLevel(source);
  if (!elements) return [];
  const out: Needed[] = [];
  let offset = start;
  // The elements passed so far, while each is known (from the match's start only).
  let passed: { set: Omit<Needed, 'offset'>; max: number }[] | undefined = start === 0 ? [] : undefined;
  for (const e of elements) {
    const min = regexBounds(e.text).min;
    // A group of one alternative, once: its elements are passed through too.
    const inner = e.text === e.atom && e.atom.startsWith('(') && !e.zero ? groupAlternatives(e.atom) : [];
    if (inner.length === 1) out.push(...neededCharacters(inner[0]!, flags, offset).map((n) => ({ ...n, gap: undefined })));
    // A group whose only empty alternative is `$` is passed through too (as the text's end).
    const endOrMore = e.text === e.atom && e.atom.startsWith('(') && !e.zero && groupAlternatives(e.atom).every((a) => a === '$' || regexBounds(a).min > 0);
    if ((min > 0 || endOrMore) && !e.zero) {
      let set: Omit<Needed, 'offset'> | undefined;
      try {
        set = firstSet(e.atom, flags);
      } catch {
        set = undefined;
      }
      const gap = set && !set.end && passed !== undefined && passed.length > 0 ? gapOf(passed) : undefined;
      // One character (or class) repeated: a match holds `min` of them in a row.
      const count = !e.atom.startsWith('(') && min > 1 ? min : undefined;
      if (set) out.push({ offset, ...set, gap, ...(count !== undefined && { count }) });
    }
    offset += min;
    if (passed !== undefined && !e.zero) {
      const held = heldBy(e.atom, flags);
      const max = regexBounds(e.text).max;
      if (held && passed.length < MAX_GAP_ELEMENTS) {
        if (max > 0) passed.push({ set: held, max });
      } else passed = undefined;
    }
  }
  return out;
}

function gapOf(passed: { set: Omit<Needed, 'offset'>; max: number }[]): Gap {
  const ascii = new Int32Array(128);
  let beyond = 0;
  passed.forEach(({ set }, i) => {
    for (let c = 0; c < 128; c++) if (set.ascii[c]) ascii[c]! |= 1 << i;
    if (set.beyond) beyond |= 1 << i;
  });
  const max = passed.map((p) => p.max);
  return { ascii, beyond, max, longest: max.reduce((a, b) => a + b, 0) };
}

/** Every character a match of the atom can hold; undefined when unknown (a backreference, a flag group). */
function heldBy(atom: string, flags: string): Omit<Needed, 'offset'> | undefined {
  const set = { ascii: new Uint8Array(128), beyond: false, end: false };
  try {
    if (!addHeld(atom, flags, set)) return undefined;
  } catch {
    return undefined;
  }
  return caseFolded(set, flags);
}

/** Under the `i` flag, a set that holds a letter in one case holds it in the other too. */
function caseFolded(set: Omit<Needed, 'offset'>, flags: string): Omit<Needed, 'offset'> {
  if (flags.includes('i')) {
    for (let c = 65; c <= 90; c++) if (set.ascii[c] || set.ascii[c + 32]) set.ascii[c] = set.ascii[c + 32] = 1;
  }
  return set;
}

function addHeld(atom: string, flags: string, set: Omit<Needed, 'offset'>): boolean {
  const ch = atom[0]!;
  if (ch === '(') {
    // Assertions hold nothing; a group that sets flags (or anything else unread) is unknown.
    if (/^\(\?(?:=|!|<=|<!)/.test(atom)) return true;
    if (atom[1] === '?' && atom[2] !== ':' && !(atom[2] === '<' && /^\(\?<[A-Za-z_$][\w$]*>/.test(atom))) return false;
    for (const alternative of groupAlternatives(atom)) {
      const elements = topLevel(alternative);
      if (!elements) return false;
      for (const e of elements) if (!e.zero && !addHeld(e.atom, flags, set)) return false;
    }
    return true;
  }
  if (ch === '.') {
    set.ascii.fill(1);
    set.beyond = true;
    return true;
  }
  if (ch === '^' || ch === '$') return true;
  return addFirst(atom, flags, set);
}

interface Element {
  /** The element with its quantifier. */
  text: string;
  /** The element without it. */
  atom: string;
  zero: boolean;
}

/** Splits a sequence at its top level; undefined when it has a top-level alternation. */
function topLevel(source: string): Element[] | undefined {
  const out: Element[] = [];
  let i = 0;
  while (i < source.length) {
    const start = i;
    const ch = source[i]!;
    let zero = false;
    if (ch === '|') return undefined;
    if (ch === '(') {
      zero = /^\(\?(?:=|!|<=|<!)/.test(source.slice(i, i + 4));
      i = groupEnd(source, i);
    } else if (ch === '[') i = classEnd(source, i);
    else if (ch === '\\') i = escapeEnd(source, i);
    else {
      zero = ch === '^' || ch === '$';
      i++;
    }
    if (source[i - 1] === 'b' && source[i - 2] === '\\' && i - start === 2) zero = true;
    const atomEnd = i;
    const q = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/.exec(source.slice(i, i + 24));
    if (q) i += q[0].length;
    out.push({ text: source.slice(start, i), atom: source.slice(start, atomEnd), zero });
  }
  return out;
}

function escapeEnd(source: string, i: number): number {
  const e = source[i + 1];
  if (e === 'x') return i + 4;
  if (e === 'u') return source[i + 2] === '{' ? source.indexOf('}', i) + 1 : i + 6;
  if (e === 'c') return i + 3;
  if ((e === 'p' || e === 'P' || e === 'k') && (source[i + 2] === '{' || source[i + 2] === '<')) return source.indexOf(source[i + 2] === '{' ? '}' : '>', i) + 1;
  return i + 2;
}

function classEnd(source: string, i: number): number {
  i++;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}

function groupEnd(source: string, i: number): number {
  let depth = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\\') i += 2;
    else if (ch === '[') i = classEnd(source, i);
    else {
      if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return i + 1;
      i++;
    }
  }
  return i;
}

/**
 * The ASCII characters that, just before a match, rule it out: a regex that opens with a
 * negative lookbehind of one character class (`(?<![A-Za-z0-9])`), the class read by the
 * regex engine itself. Undefined for any other opening.
 */
export function notAfter(source: string, flags: string): Uint8Array | undefined {
  const m = /^\(\?<!(\[(?:\\.|[^\]\\])*\]|\\[dDwWsS])\)/.exec(source) ?? wordBoundaryBeforeWord(source, flags);
  if (!m) return undefined;
  const one = new RegExp(`^${m[1]}$`, flags.replace(/[gyd]/g, ''));
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = one.test(String.fromCharCode(c)) ? 1 : 0;
  return table;
}

/**
 * A literal of at least two characters that every match holds, read from the top level of the
 * regex: a group whose alternatives are plain literals, the shortest held by all the others
 * (`(?:-u|--user)`: "-u"). Undefined when there is none, or when case is folded.
 */
export function requiredLiteral(source: string, flags: string): string | undefined {
  if (flags.includes('i')) return undefined;
  let best: string | undefined;
  for (const e of topLevel(source) ?? []) {
    if (e.zero || !e.atom.startsWith('(') || regexBounds(e.text).min === 0 || /^\(\?[=!<]/.test(e.atom)) continue;
    const alternatives = groupAlternatives(e.atom).map(plainLiteral);
    if (alternatives.some((a) => a === undefined)) continue;
    const shortest = (alternatives as string[]).reduce((a, b) => (b.length < a.length ? b : a));
    if (shortest.length >= 2 && alternatives.every((a) => a!.includes(shortest)) && shortest.length > (best?.length ?? 0)) best = shortest;
  }
  return best;
}

/**
 * The literal every match begins with, case as written (after zero-width elements such as a
 * lookbehind): `(?<![A-Za-z0-9])SG\.…` begins with "SG.". A keyword is found whatever its case;
 * where the regex asks for one case, a hit in another is no match, told without running it.
 * Undefined when case is folded or the regex does not begin with a literal.
 */
export function leadingLiteral(source: string, flags: string): string | undefined {
  if (flags.includes('i')) return undefined;
  const elements = topLevel(source) ?? [];
  let k = 0;
  while (k < elements.length && elements[k]!.zero) k++;
  let out = '';
  for (; k < elements.length; k++) {
    const e = elements[k]!;
    const literal = e.text === e.atom && !e.zero ? plainLiteral(e.atom) : undefined;
    if (literal === undefined) break;
    out += literal;
  }
  return out.length > 0 ? out : undefined;
}

/** The text a regex source matches when it is a plain literal (escaped punctuation allowed), else undefined. */
function plainLiteral(source: string): string | undefined {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const e = source[++i];
      if (e === undefined || /\w/.test(e)) return undefined;
      out += e;
    } else if (/[\w\- ~@#%&=:;,'"`<>/!]/.test(c)) out += c;
    else return undefined;
  }
  return out;
}

/** A regex opening with `\b` before an element that begins with a word character: it cannot follow one. */
function wordBoundaryBeforeWord(source: string, flags: string): [string, string] | undefined {
  if (!source.startsWith('\\b')) return undefined;
  const first = topLevel(source.slice(2))?.find((e) => !e.zero);
  if (!first || regexBounds(first.text).min === 0) return undefined;
  let set: Omit<Needed, 'offset'> | undefined;
  try {
    set = firstSet(first.atom, flags);
  } catch {
    return undefined;
  }
  const word = CLASS_ESCAPES.w!;
  if (!set || set.beyond || set.end || set.ascii.some((member, c) => member === 1 && !word(c))) return undefined;
  return ['\\b', '\\w'];
}

/** The characters an atom's match begins with; undefined when unknown (it may be empty, say). */
function firstSet(atom: string, flags: string): Omit<Needed, 'offset'> | undefined {
  const set = { ascii: new Uint8Array(128), beyond: false, end: false };
  const ok = addFirst(atom, flags, set);
  if (!ok) return undefined;
  return caseFolded(set, flags);
}

function addFirst(atom: string, flags: string, set: Omit<Needed, 'offset'>): boolean {
  const ch = atom[0]!;
  if (ch === '(') {
    if (/^\(\?(?:=|!|<=|<!)/.test(atom)) return false;
    for (const alternative of groupAlternatives(atom)) {
      const elements = topLevel(alternative);
      if (!elements || elements.length === 0) return false;
      const first = elements[0]!;
      if (first.atom === '$' && elements.length === 1) {
        set.end = true;
        if (flags.includes('m')) set.ascii[10] = set.ascii[13] = 1;
        continue;
      }
      if (first.zero || regexBounds(first.text).min === 0 || !addFirst(first.atom, flags, set)) return false;
    }
    return true;
  }
  if (ch === '[') return addClass(atom.slice(1, -1), set);
  if (ch === '\\') return addEscape(atom, set);
  if (ch === '.') {
    set.ascii.fill(1);
    set.ascii[10] = set.ascii[13] = flags.includes('s') ? 1 : 0;
    set.beyond = true;
    return true;
  }
  if (ch === '^' || ch === '$') return false;
  const code = ch.charCodeAt(0);
  if (code < 128) set.ascii[code] = 1;
  else set.beyond = true;
  return true;
}

function groupAlternatives(group: string): string[] {
  const open = group.startsWith('(?:') ? 3 : group.startsWith('(?<') ? group.indexOf('>') + 1 : 1;
  return splitAlternatives(group.slice(open, -1));
}

function splitAlternatives(source: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\\') i = escapeEnd(source, i);
    else if (ch === '[') i = classEnd(source, i);
    else if (ch === '(') i = groupEnd(source, i);
    else {
      if (ch === '|') {
        out.push(source.slice(start, i));
        start = i + 1;
      }
      i++;
    }
  }
  out.push(source.slice(start));
  return out;
}

const CLASS_ESCAPES: Record<string, (c: number) => boolean> = {
  d: (c) => c >= 48 && c <= 57,
  w: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95,
  s: (c) => c === 32 || (c >= 9 && c <= 13),
};

function addEscape(escape: string, set: Omit<Needed, 'offset'>): boolean {
  const e = escape[1]!;
  const known = CLASS_ESCAPES[e.toLowerCase()];
  if (known) {
    const negated = e !== e.toLowerCase();
    for (let c = 0; c < 128; c++) if (known(c) !== negated) set.ascii[c] = 1;
    if (negated || e === 's') set.beyond = true;
    return true;
  }
  if (/[bBpPk0-9]/.test(e)) return false;
  if (e === 'x' || e === 'u') {
    const code = parseInt(escape.slice(2).replace(/[{}]/g, ''), 16);
    if (code < 128) set.ascii[code] = 1;
    else set.beyond = true;
    return true;
  }
  if (e === 'c') return false;
  const plain: Record<string, number> = { t: 9, n: 10, r: 13, v: 11, f: 12 };
  set.ascii[plain[e] ?? e.charCodeAt(0)] = 1;
  return true;
}

function addClass(body: string, set: Omit<Needed, 'offset'>): boolean {
  const negated = body.startsWith('^');
  const members = { ascii: new Uint8Array(128), beyond: false, end: false };
  let i = negated ? 1 : 0;
  const one = (): number | undefined => {
    const ch = body[i]!;
    if (ch !== '\\') {
      i++;
      return ch.charCodeAt(0);
    }
    const end = escapeEnd(body, i);
    const escape = body.slice(i, end);
    i = end;
    const e = escape[1]!;
    if (e === 'p' || e === 'P') throw new TooMany();
    if (CLASS_ESCAPES[e.toLowerCase()]) {
      addEscape(escape, members);
      return undefined;
    }
    if (e === 'x' || e === 'u') return parseInt(escape.slice(2).replace(/[{}]/g, ''), 16);
    const plain: Record<string, number> = { t: 9, n: 10, r: 13, v: 11, f: 12, b: 8 };
    return plain[e] ?? e.charCodeAt(0);
  };
  while (i < body.length) {
    const from = one();
    if (from !== undefined && body[i] === '-' && i + 1 < body.length) {
      i++;
      const to = one();
      if (to === undefined) return false;
      for (let c = from; c <= to; c++) {
        if (c < 128) members.ascii[c] = 1;
        else members.beyond = true;
      }
    } else if (from !== undefined) {
      if (from < 128) members.ascii[from] = 1;
      else members.beyond = true;
    }
  }
  for (let c = 0; c < 128; c++) if (members.ascii[c] !== (negated ? 1 : 0)) set.ascii[c] = 1;
  if (negated || members.beyond) set.beyond = true;
  return true;
}
