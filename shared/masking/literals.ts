// Exact literals masked on top of a detector's findings: values known to be secret for one
// answer (the credential the gateway sent upstream), added without recompiling any rule, in each
// form it may come back in (literal-forms.ts). Each occurrence is masked whole, overlapping ones
// included, and a stream holds back any end of its text that a literal begins with, so a literal
// split across chunks never leaks.
import type { Analysis, Core, Detector } from './core.js';
import { merge } from './engine.js';
import { literalForms } from './literal-forms.js';
import { MIN_SECRET_LITERAL } from './limits.js';
import type { Replacement, Span } from './rule.js';

export interface SecretLiteral {
  /** Names its findings and its marker: `[MASKED:<rule>]`. */
  rule: string;
  value: string;
}

const FULL: Replacement = { kind: 'full' };
/** Ahead of every rule: a literal that a rule also matches exactly is reported as the literal. */
const ORDER = -1;

/** `core` with `secrets` masked too, and how many rule ids they add; undefined when none is long enough to keep. */
export function withLiterals(core: Core, secrets: readonly SecretLiteral[]): { core: Core; rules: number } | undefined {
  const kept = new Map<string, SecretLiteral>();
  for (const secret of secrets) {
    if (secret.value.length < MIN_SECRET_LITERAL) continue;
    for (const value of literalForms(secret.value)) if (!kept.has(value)) kept.set(value, { rule: secret.rule, value });
  }
  if (kept.size === 0) return undefined;
  const literals = [...kept.values()];
  return { core: { ...core, engine: new LiteralDetector(core.engine, literals) }, rules: new Set(literals.map((l) => l.rule)).size };
}

class LiteralDetector implements Detector {
  readonly holdLimit: number;

  constructor(
    private readonly base: Detector,
    private readonly literals: readonly SecretLiteral[],
  ) {
    this.holdLimit = Math.max(base.holdLimit, ...literals.map((l) => l.value.length));
  }

  detect(text: string): Span[] {
    return this.analyze(text, false).spans;
  }

  analyze(text: string, withHold: boolean): Analysis {
    const analysis = this.base.analyze(text, withHold);
    const found = this.find(text);
    if (found.length === 0 && !withHold) return analysis;
    const spans = found.length === 0 ? analysis.spans : wholeOver(merge(text, [...analysis.spans, ...found]), found);
    if (!withHold) return { spans, holdFrom: text.length };
    let hold = Math.min(analysis.holdFrom, this.partialFrom(text));
    for (const span of spans) if (span.start < hold && span.end > hold) hold = span.start;
    return { spans, holdFrom: hold };
  }

  /** Every occurrence of every literal, by start. */
  private find(text: string): Span[] {
    const found: Span[] = [];
    for (const { rule, value } of this.literals) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
        found.push({ start: at, end: at + value.length, rule, replacement: FULL, order: ORDER });
      }
    }
    return this.literals.length > 1 ? found.sort((a, b) => a.start - b.start) : found;
  }

  /** Start of the longest end of `text` that some literal begins with (text.length when none). */
  private partialFrom(text: string): number {
    const n = text.length;
    let hold = n;
    for (const { value } of this.literals) {
      const first = value[0]!;
      for (let at = text.indexOf(first, Math.max(0, n - value.length + 1)); at !== -1 && at < hold; at = text.indexOf(first, at + 1)) {
        if (value.startsWith(text.slice(at))) {
          hold = at;
          break;
        }
      }
    }
    return hold;
  }
}

/**
 * The merged spans, with those that hold a literal replaced whole: a rule's "keep the last N
 * characters" must not show part of a literal it overlaps. Both lists are sorted by start.
 */
function wholeOver(spans: Span[], found: readonly Span[]): Span[] {
  let f = 0;
  return spans.map((span) => {
    while (f < found.length && found[f]!.end <= span.start) f++;
    const holds = f < found.length && found[f]!.start < span.end;
    return holds && span.replacement.kind !== 'full' ? { ...span, replacement: FULL } : span;
  });
}
