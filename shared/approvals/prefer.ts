// RFC 7240 `Prefer: wait=N`: how long a client is willing to wait for the outcome before it is
// answered 202. Capped, so no request holds a connection (and a Functions worker) for long.
export const MAX_WAIT_SECONDS = 60;

/** The capped wait in seconds, or undefined when the header asks for none (or is malformed). */
export function preferredWait(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  for (const preference of header.split(',')) {
    const [token = ''] = preference.split(';');
    const match = /^\s*wait\s*=\s*"?(\d{1,9})"?\s*$/i.exec(token);
    if (match) return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
  }
  return undefined;
}
