// The shortest and longest text a JavaScript regex (no `u` flag) can match, read from its
// source. Windows around keyword hits and a stream's hold-back are sized from the longest.

export interface Bounds {
  min: number;
  max: number; // Infinity when a quantifier is unbounded or a backreference is used
}

export function regexBounds(source: string): Bounds {
  let i = 0;

  const alternation = (): Bounds => {
    let result = sequence();
    while (source[i] === '|') {
      i++;
      const next = sequence();
      result = { min: Math.min(result.min, next.min), max: Math.max(result.max, next.max) };
    }
    return result;
  };

  const sequence = (): Bounds => {
    const total = { min: 0, max: 0 };
    while (i < source.length && source[i] !== '|' && source[i] !== ')') {
      const one = quantified(atom());
      total.min += one.min;
      total.max += one.max;
    }
    return total;
  };

  const atom = (): Bounds => {
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

  const escape = (): Bounds => {
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

  const quantified = (base: Bounds): Bounds => {
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
  return result;
}
