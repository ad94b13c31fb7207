// The text of a request body as rules read it.

/** The whole body as text, never a prefix: padding must not push what a rule looks for out of sight. */
export function bodyText(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.byteLength === 0) return '';
  return new TextDecoder().decode(bytes);
}
