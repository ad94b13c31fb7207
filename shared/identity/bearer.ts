// Extracts the token from an `Authorization: Bearer <token>` header (RFC 6750 §2.1).
import { invalidToken, noToken } from './refusals.js';

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function bearerToken(authorization: string | null | undefined): string {
  const header = authorization?.trim() ?? '';
  if (header === '') throw noToken('no bearer token');
  const [scheme, ...credentials] = header.split(/ +/);
  if (scheme!.toLowerCase() !== 'bearer') throw noToken('authorization scheme is not Bearer');
  if (credentials.length === 0) throw noToken('no bearer token');
  const [token] = credentials;
  if (credentials.length > 1 || !B64TOKEN.test(token!)) throw invalidToken('malformed token');
  return token!;
}
