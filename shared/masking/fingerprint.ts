// A finding names its value by the first 8 hex digits of its SHA-256: enough to correlate
// repeats in the session log, far too little to recover the value.
import { createHash } from 'node:crypto';

export function fingerprint(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
}
