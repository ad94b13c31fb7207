// Bytes and UTF-8 text under a size limit: reading a whole stream, passing one through, cutting
// text to a byte budget without splitting a character. One place, so every body is bounded alike.
import { mapStream } from './map-stream.js';
import { bodyTooLarge } from './refusals.js';

/** Reads a stream to its end; past `maxBytes` it cancels the stream and refuses with 413. */
export async function readAll(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The error a limited stream fails with, for callers that turn it into their own answer. */
export class BodyTooLarge extends Error {}

/** Passes a body through, failing it once it exceeds the limit. */
export function limitStream(stream: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return mapStream<Uint8Array, Uint8Array>(stream, {
    transform(chunk, enqueue) {
      seen += chunk.byteLength;
      if (seen > limit) throw new BodyTooLarge();
      enqueue(chunk);
    },
  });
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not split a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: short text needs no encoding to know it fits.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.byteLength <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1; // bytes[end] continues a character
  return bytes.subarray(0, end).toString('utf8');
}
