// What the maskers share once a masker is compiled: the engine and the sensitive-key rule.
import type { Engine } from './engine.js';
import type { Replacement } from './rule.js';
import type { KeyFilter, KeyMatcher } from './sensitive-keys.js';

export const SENSITIVE_KEY_RULE = 'sensitive-key';

export interface Core {
  engine: Engine;
  /** Absent when the sensitive-key rule is disabled. */
  isSensitiveKey: KeyMatcher | undefined;
  /** A cheap test on a key's raw text before matching it. */
  mayBeSensitiveKey: KeyFilter;
  sensitiveReplacement: Replacement;
}
