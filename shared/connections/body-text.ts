// The text of a request body as rules read it, and the JSON object of a prompt request.
import { promptBodyNotObject } from './refusals.js';

/** The whole body as text, never a prefix: padding must not push what a rule looks for out of sight. */
export function bodyText(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.byteLength === 0) return '';
  return new TextDecoder().decode(bytes);
}

/** The parsed body of a prompt request, which must be a JSON object. */
export function jsonObject(bytes: Uint8Array | undefined, action: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes ?? new Uint8Array()));
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw promptBodyNotObject(action);
  }
  return value as Record<string, unknown>;
}
