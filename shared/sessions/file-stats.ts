// What the manifest says about an exported file, computed as its bytes stream past: SHA-256, size,
// line (event) count and chain head (the last line's `hash` and `seq`).
import { createHash } from 'node:crypto';

export interface FileStats {
  sha256: string;
  bytes: number;
  events: number;
  head?: string;
  lastSeq?: number;
  /** The last line's bytes with its newline, if any (to compare against the source). */
  lastLine: Buffer;
}

export function createFileStats(): { add(chunk: Buffer): void; result(): FileStats } {
  const hash = createHash('sha256');
  let bytes = 0;
  let events = 0;
  let current: Buffer[] = []; // bytes since the last newline
  let lastLine = Buffer.alloc(0);
  return {
    add(chunk) {
      hash.update(chunk);
      bytes += chunk.length;
      let start = 0;
      for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
        lastLine = Buffer.concat([...current, chunk.subarray(start, end + 1)]);
        current = [];
        events += 1;
        start = end + 1;
      }
      if (start < chunk.length) current.push(chunk.subarray(start));
    },
    result() {
      if (current.length > 0) {
        lastLine = Buffer.concat(current);
        events += 1;
        current = [];
      }
      return { sha256: hash.digest('hex'), bytes, events, ...headOf(lastLine), lastLine };
    },
  };
}

/** Passes chunks through while `stats` sees them. */
export async function* tap(chunks: AsyncIterable<Buffer | string>, stats: { add(chunk: Buffer): void }): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    stats.add(bytes);
    yield bytes;
  }
}

function headOf(line: Buffer): { head?: string; lastSeq?: number } {
  try {
    const { hash, seq } = JSON.parse(line.toString('utf8')) as { hash?: unknown; seq?: unknown };
    return { ...(typeof hash === 'string' ? { head: hash } : {}), ...(Number.isInteger(seq) ? { lastSeq: seq as number } : {}) };
  } catch {
    return {};
  }
}
