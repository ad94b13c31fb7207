// JSONL lines out of bytes, remembering whether the last one was cut short (no final newline).
// Splitting at the newline byte never splits a UTF-8 character.
export interface Line {
  text: string;
  terminated: boolean;
}

export function splitLines(bytes: Buffer): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a, start)) {
    lines.push({ text: bytes.toString('utf8', start, end), terminated: true });
    start = end + 1;
  }
  if (start < bytes.length) lines.push({ text: bytes.toString('utf8', start), terminated: false });
  return lines;
}

/** The lines of a byte stream, as they arrive. */
export async function* readLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Line> {
  let rest = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes = Buffer.concat([rest, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    const last = bytes.lastIndexOf(0x0a);
    if (last < 0) {
      rest = bytes;
      continue;
    }
    yield* splitLines(bytes.subarray(0, last + 1));
    rest = bytes.subarray(last + 1);
  }
  if (rest.length > 0) yield { text: rest.toString('utf8'), terminated: false };
}
