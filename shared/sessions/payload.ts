// Bounds what a payload puts in the log. The caller masks bodies; this truncates them at the
// configured size (keeping the original byte count) and, as a second line of defence, never lets a
// credential-bearing header through whatever the caller passed.
import { truncateUtf8 } from '../platform/bytes.js';
import type { EventInput } from './schema.js';

type Payload = NonNullable<EventInput['payload']>;
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
