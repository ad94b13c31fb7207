// Shared "not a secret after all" checks for the rules that match assignments.
import { shannonEntropy } from '../entropy.js';

/** Words, identifiers, member paths and numbers: what code and prose put after `token =`. */
const PLAIN = /^(?:[A-Za-z_.$-]+|[\d.eE+-]+)$/;
/** Values already masked, or placeholders rather than values. */
const PLACEHOLDER = /^(?:\*+|x+|X+|\.+|<[^>]*>|\$\{[^}]*\}|\{\{.*\}\}|%[A-Za-z_]+%|\[MASKED:[^\]]*\].*|null|undefined|none|true|false)$/i;

export function looksPlain(value: string): boolean {
  return PLAIN.test(value) || PLACEHOLDER.test(value);
}

/** An assignment's value is a secret when it is not plain and its entropy reaches `bits`. */
export const unlessPlainOrBelow = (bits: number) => (secret: string) =>
  looksPlain(secret) || shannonEntropy(secret) < bits;

export const unlessPlaceholder = (secret: string) => PLACEHOLDER.test(secret);
