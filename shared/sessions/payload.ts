// Bounds what a payload puts in the log. The caller masks bodies; this truncates them at the
// configured size (keeping the original byte count) and, as a second line of defence, never lets a
// credential-bearing header through whatever the caller passed. An answer full of secrets lists
// its first findings and counts the rest, so that its event still fits a log line.
import { truncateUtf8 } from '../platform/bytes.js';
import type { EventInput } from './schema.js';

type Payload = NonNullable<EventInput['payload']>;
type Finding = NonNullable<EventInput['findings']>[number];
export type StoredPayload = Payload & { truncated?: true };

const credentialHeaders = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'ocp-apim-subscription-key',
  'x-functions-key',
]);

export const REDACTED = '[redacted]';

export function limitPayload(payload: Payload, maxBytes: number): StoredPayload {
  const limited: StoredPayload = { ...payload };
  const body = truncateUtf8(payload.body, maxBytes);
  if (body !== payload.body) {
    limited.body = body;
    limited.truncated = true;
  }
  if (payload.headers) {
    limited.headers = Object.fromEntries(
      Object.entries(payload.headers).map(([name, value]) => [name, credentialHeaders.has(name.toLowerCase()) ? REDACTED : value]),
    );
  }
  return limited;
}

/** Findings an event lists; the rest are counted in `findingsOmitted`. */
export const MAX_RECORDED_FINDINGS = 1000;

export function limitFindings(findings: Finding[]): { findings: Finding[]; findingsOmitted?: number } {
  if (findings.length <= MAX_RECORDED_FINDINGS) return { findings };
  return { findings: findings.slice(0, MAX_RECORDED_FINDINGS), findingsOmitted: findings.length - MAX_RECORDED_FINDINGS };
}
