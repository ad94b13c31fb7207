// JSON mode over JSON text: masks inside string values (and keys, and numbers that are card
// numbers) without re-serializing, so numbers, spacing and key order stay byte for byte.
// Detection runs once over the whole text; one pass over the structure then validates it,
// maps each span to the string it lies in, and masks values under sensitive keys. Strings
// with escapes are decoded and masked on their own (a secret may hide behind `\/` or
// `\u0041`), as is JSON nested inside a string. The walk is iterative and allocates little
// per token, so size and nesting cost time and memory, not stack.
import type { Core } from './core.js';
import { SENSITIVE_KEY_RULE } from './core.js';
import { childPath } from './json-path.js';
import { MAX_JSON_DEPTH } from './limits.js';
import { findingFor, redact, replacementText, type Finding } from './redact.js';
import type { Span } from './rule.js';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const isWhitespace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

const enum Expect {
  Value,
  FirstValueOrEnd,
  Key,
  FirstKeyOrEnd,
  Colon,
  AfterValue,
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Masks JSON text; undefined when `text` is not JSON (the caller falls back to text mode). */
export function maskJsonText(text: string, core: Core, root = '$', depth = 0): { text: string; findings: Finding[] } | undefined {
  return new Walk(text, core, root, depth, core.engine.detect(text)).run();
}

/** Masks one decoded string value: as JSON when it holds JSON, else as text. */
export function maskString(value: string, core: Core, path: string, depth: number, findings: Finding[]): string {
  if (depth < MAX_JSON_DEPTH && looksLikeJson(value)) {
    const nested = maskJsonText(value, core, path, depth + 1);
    if (nested) {
      findings.push(...nested.findings);
      return nested.text;
    }
  }
  return redact(value, core.engine.detect(value), (offset) => `${path}:${offset}`, findings);
}

function looksLikeJson(value: string): boolean {
  let s = 0;
  while (s < value.length && isWhitespace(value.charCodeAt(s))) s++;
  let e = value.length - 1;
  while (e > s && isWhitespace(value.charCodeAt(e))) e--;
  const first = value.charCodeAt(s);
  const last = value.charCodeAt(e);
  return (first === 123 && last === 125) || (first === 91 && last === 93);
}

class Walk {
  private i = 0;
  private nextBackslash = -2;
  private span = 0;
  private readonly edits: Edit[] = [];
  private readonly findings: Finding[] = [];
  // The open containers, innermost last.
  private readonly isObject: boolean[] = [];
  private readonly count: number[] = [];
  private readonly member: (string | number)[] = [];
  private readonly sensitive: boolean[] = [];
  private key = '';
  private keySensitive = false;

  constructor(
    private readonly text: string,
    private readonly core: Core,
    private readonly root: string,
    private readonly depth: number,
    private readonly spans: readonly Span[],
  ) {}

  run(): { text: string; findings: Finding[] } | undefined {
    const { text } = this;
    const n = text.length;
    let expect = Expect.Value;
    this.skipWhitespace();
    for (;;) {
      if (this.i >= n) {
        if (expect === Expect.AfterValue && this.isObject.length === 0) break;
        return undefined;
      }
      const c = text.charCodeAt(this.i);
      const top = this.isObject.length - 1;
      switch (expect) {
        case Expect.FirstValueOrEnd:
        case Expect.Value: {
          if (expect === Expect.FirstValueOrEnd && c === 93) {
            this.close();
            expect = Expect.AfterValue;
            break;
          }
          const inObject = top >= 0 && this.isObject[top]!;
          const member: string | number = top < 0 ? '' : inObject ? this.key : this.count[top]!++;
          const sensitive = top >= 0 && (this.sensitive[top]! || (inObject && this.keySensitive));
          if (c === 123 || c === 91) {
            this.isObject.push(c === 123);
            this.count.push(0);
            this.member.push(member);
            this.sensitive.push(sensitive);
            this.i++;
            expect = c === 123 ? Expect.FirstKeyOrEnd : Expect.FirstValueOrEnd;
            break;
          }
          if (c === 34) {
            if (!this.stringToken(member, sensitive, false)) return undefined;
          } else if (c === 45 || (c >= 48 && c <= 57)) {
            NUMBER.lastIndex = this.i;
            const m = NUMBER.exec(text);
            if (!m) return undefined;
            this.numberToken(this.i, this.i + m[0].length, member, sensitive);
            this.i += m[0].length;
          } else if (text.startsWith('true', this.i)) this.i += 4;
          else if (text.startsWith('false', this.i)) this.i += 5;
          else if (text.startsWith('null', this.i)) this.i += 4;
          else return undefined;
          expect = Expect.AfterValue;
          break;
        }
        case Expect.FirstKeyOrEnd:
        case Expect.Key:
          if (expect === Expect.FirstKeyOrEnd && c === 125) {
            this.close();
            expect = Expect.AfterValue;
            break;
          }
          if (c !== 34 || !this.stringToken('', false, true)) return undefined;
          expect = Expect.Colon;
          break;
        case Expect.Colon:
          if (c !== 58) return undefined;
          this.i++;
          expect = Expect.Value;
          break;
        case Expect.AfterValue:
          if (top < 0) return undefined; // text after the top-level value
          if (c === 44) expect = this.isObject[top] ? Expect.Key : Expect.Value;
          else if (c === (this.isObject[top] ? 125 : 93)) this.close();
          else return undefined;
          if (c === 44) this.i++;
          break;
      }
      this.skipWhitespace();
    }
    if (this.edits.length === 0) return { text, findings: [] };
    let out = '';
    let at = 0;
    for (const edit of this.edits) {
      out += text.slice(at, edit.start) + edit.text;
      at = edit.end;
    }
    return { text: out + text.slice(at), findings: this.findings };
  }

  private close() {
    this.isObject.pop();
    this.count.pop();
    this.member.pop();
    this.sensitive.pop();
    this.i++;
  }

  private skipWhitespace() {
    const { text } = this;
    while (this.i < text.length && isWhitespace(text.charCodeAt(this.i))) this.i++;
  }

  private path(member: string | number): string {
    let path = this.root;
    for (let level = 1; level < this.member.length; level++) path = childPath(path, this.member[level]!);
    return this.member.length === 0 ? path : childPath(path, member);
  }

  /** Reads the string at `i` (a key or a value) and masks what it must; false when it is not a JSON string. */
  private stringToken(member: string | number, sensitive: boolean, isKey: boolean): boolean {
    const { text } = this;
    const start = this.i;
    let j = start + 1;
    let end: number;
    for (;;) {
      const q = text.indexOf('"', j);
      if (q === -1) return false;
      let b = q - 1;
      while (b > start && text.charCodeAt(b) === 92) b--;
      if ((q - 1 - b) % 2 === 0) {
        end = q + 1;
        break;
      }
      j = q + 1;
    }
    this.i = end;
    if (this.nextBackslash !== -1 && this.nextBackslash < start) this.nextBackslash = text.indexOf('\\', start);
    const escaped = this.nextBackslash !== -1 && this.nextBackslash < end;

    let decoded: string | undefined;
    if (escaped) {
      try {
        decoded = JSON.parse(text.slice(start, end)) as string;
      } catch {
        return false;
      }
    }
    if (isKey) {
      this.keySensitive = false;
      if (this.core.isSensitiveKey !== undefined && mayEndSensitive(text, start + 1, end - 1, this.core.keyEndings)) {
        this.key = decoded ?? text.slice(start + 1, end - 1);
        this.keySensitive = this.core.isSensitiveKey(this.key);
      } else {
        this.key = decoded ?? text.slice(start + 1, end - 1);
      }
      member = this.key;
    }
    if (sensitive && !isKey) {
      const value = decoded ?? text.slice(start + 1, end - 1);
      this.findings.push(findingFor(SENSITIVE_KEY_RULE, this.path(member), value));
      this.edits.push({ start, end, text: JSON.stringify(replacementText(SENSITIVE_KEY_RULE, this.core.sensitiveReplacement, value)) });
      return true;
    }
    if (decoded !== undefined) {
      const findings: Finding[] = [];
      const masked = maskString(decoded, this.core, this.path(member), this.depth, findings);
      if (masked !== decoded) {
        this.findings.push(...findings);
        this.edits.push({ start, end, text: JSON.stringify(masked) });
      }
      return true;
    }
    this.maskSpansIn(start + 1, end - 1, member);
    return true;
  }

  private numberToken(start: number, end: number, member: string | number, sensitive: boolean) {
    let rule = sensitive ? SENSITIVE_KEY_RULE : undefined;
    let replacement = this.core.sensitiveReplacement;
    if (!rule) {
      const k = this.firstOverlapping(start);
      if (k === this.spans.length || this.spans[k]!.start >= end) return;
      rule = this.spans[k]!.rule;
      replacement = this.spans[k]!.replacement;
    }
    const value = this.text.slice(start, end);
    this.findings.push(findingFor(rule, this.path(member), value));
    this.edits.push({ start, end, text: JSON.stringify(replacementText(rule, replacement, value)) });
  }

  /** Index of the first span ending after `from`; spans before it can reach no later token. */
  private firstOverlapping(from: number): number {
    const { spans } = this;
    while (this.span < spans.length && spans[this.span]!.end <= from) this.span++;
    return this.span;
  }

  private maskSpansIn(from: number, to: number, member: string | number) {
    const { spans } = this;
    for (let k = this.firstOverlapping(from); k < spans.length && spans[k]!.start < to; k++) {
      const span = spans[k]!;
      const a = Math.max(span.start, from);
      const b = Math.min(span.end, to);
      if (a >= b) continue;
      const offset = a - from;
      const path = this.path(member);
      this.edits.push({ start: a, end: b, text: redact(this.text.slice(a, b), [{ ...span, start: 0, end: b - a }], () => `${path}:${offset}`, this.findings) });
    }
  }
}

/**
 * Whether a key's raw text could end like a sensitive name: its last letter is one that some
 * name ends with. Spares slicing and normalizing the keys that cannot.
 */
function mayEndSensitive(text: string, from: number, to: number, endings: ReadonlySet<number>): boolean {
  let e = to;
  while (e > from) {
    const c = text.charCodeAt(e - 1);
    if (c !== 95 && c !== 45 && c !== 46 && c !== 32) break;
    e--;
  }
  if (e === from) return false;
  const c = text.charCodeAt(e - 1);
  return c > 127 || endings.has(c | 0x20);
}
