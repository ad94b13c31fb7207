// What the maskers share once a masker is compiled: detection and the sensitive-key rule.
import type { Replacement, Span } from './rule.js';
import type { KeyFilter, KeyMatcher } from './sensitive-keys.js';

export const SENSITIVE_KEY_RULE = 'sensitive-key';

/** What detection found in a text. */
export interface Analysis {
  spans: Span[];
  /** Offset from which the text may still hold a finding that later text would complete. */
  holdFrom: number;
}

/** Finds the spans to mask: the compiled Engine, or one with exact literals added (literals.ts). */
export interface Detector {
  /** The merged spans of every finding in `text`. */
  detect(text: string): Span[];
  analyze(text: string, withHold: boolean): Analysis;
  /** The most a stream holds back, beyond the rest of a finding already made. */
  readonly holdLimit: number;
}

export interface Core {
  engine: Detector;
  /** Absent when the sensitive-key rule is disabled. */
  isSensitiveKey: KeyMatcher | undefined;
  /** A cheap test on a key's raw text before matching it. */
  mayBeSensitiveKey: KeyFilter;
  sensitiveReplacement: Replacement;
  /** How a Kubernetes Secret's values are masked in JSON (kubernetes-secrets.ts); absent when that rule is disabled. */
  kubernetesSecret?: Replacement;
}
