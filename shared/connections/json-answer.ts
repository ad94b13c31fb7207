// The answer of a kind that builds its own JSON (SQL results, a command's output): already masked,
// never cached, and recorded as it was sent.
import type { Finding } from '../masking/index.js';
import type { GatewayResponse, ResponseRecord } from './kind.js';

export function jsonAnswer(value: unknown, findings: Finding[], details: ResponseRecord['details']): GatewayResponse {
  const body = JSON.stringify(value);
  const bytes = new TextEncoder().encode(body);
  const contentType = 'application/json';
  return {
    status: 200,
    headers: new Headers({ 'content-type': contentType, 'content-length': String(bytes.byteLength), 'cache-control': 'no-store' }),
    body: bytes,
    completion: Promise.resolve({ findings, payload: { body, bytes: bytes.byteLength, contentType, status: 200 }, details }),
  };
}
