// Turns spans into replacement text and findings. A finding names the value by a hash
// prefix and its length; the value itself is never kept.
import { fingerprint } from './fingerprint.js';
import type { Replacement, Span } from './rule.js';

export interface Finding {
  rule: string;
  /** JSON path (`$.a[0].b`, with `:offset` inside a string) or `offset:N` in text. */
  location: string;
  length: number;
  /** First 8 hex digits of the SHA-256 of the value. */
  hash: string;
}

export function replacementText(rule: string, replacement: Replacement, value: string): string {
  const marker = `[MASKED:${rule}]`;
  if (replacement.kind === 'full') return marker;
  const keep = Math.min(replacement.keep, Math.floor(value.length / 4));
  return keep > 0 ? marker + value.slice(value.length - keep) : marker;
}

export function findingFor(rule: string, location: string, value: string): Finding {
  return { rule, location, length: value.length, hash: fingerprint(value) };
}

/**
 * Masks `spans` (sorted, non-overlapping, within `text`) and appends one finding each;
 * `locate` names a span's start offset.
 */
export function redact(text: string, spans: readonly Span[], locate: (offset: number) => string, findings: Finding[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const span of spans) {
    const value = text.slice(span.start, span.end);
    out += text.slice(at, span.start) + replacementText(span.rule, span.replacement, value);
    findings.push(findingFor(span.rule, locate(span.start), value));
    at = span.end;
  }
  return out + text.slice(at);
}
