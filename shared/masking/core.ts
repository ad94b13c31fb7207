// What the maskers share once a masker is compiled: the engine and the sensitive-key rule.
import type { Engine } from './engine.js';
import type { Replacement } from './rule.js';
import type { KeyMatcher } from './sensitive-keys.js';

export const SENSITIVE_KEY_RULE = 'sensitive-key';

export interface Core {
  engine: Engine;
  /** Absent when the sensitive-key rule is disabled. */
  isSensitiveKey: KeyMatcher | undefined;
  /** Lower-cased last letters of the sensitive names: a cheap test before matching a key. */
  keyEndings: ReadonlySet<number>;
  sensitiveReplacement: Replacement;
}
