// Bounds what a payload puts in the log. The caller masks bodies; this truncates them at the
// configured size (keeping the original byte count) and, as a second line of defence, never lets a
// credential-bearing header through whatever the caller passed.
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
  const bytes = Buffer.from(payload.body, 'utf8');
  if (bytes.length > maxBytes) {
    limited.body = truncateUtf8(bytes, maxBytes);
    limited.truncated = true;
  }
  if (payload.headers) {
    limited.headers = Object.fromEntries(
      Object.entries(payload.headers).map(([name, value]) => [name, credentialHeaders.has(name.toLowerCase()) ? REDACTED : value]),
    );
  }
  return limited;
}

/** The longest prefix of at most maxBytes that does not split a character. */
function truncateUtf8(bytes: Buffer, maxBytes: number): string {
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1; // bytes[end] continues a character
  return bytes.subarray(0, end).toString('utf8');
}
