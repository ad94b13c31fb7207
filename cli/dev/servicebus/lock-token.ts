// Lock tokens are GUIDs. Azure sends one as the delivery tag in .NET's GUID byte order (the first
// three groups little-endian), which the SDK reorders before reading it; management requests
// carry tokens in plain RFC 4122 byte order.
import { randomUUID } from 'node:crypto';

export function newLockToken(): string {
  return randomUUID();
}

/** A token from the RFC 4122 bytes of a management request. */
export function lockTokenFromBytes(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The delivery tag that carries a token, in .NET byte order. */
export function deliveryTagOf(token: string): Buffer {
  const b = Buffer.from(token.replaceAll('-', ''), 'hex');
  return Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
}
