// UTF-8 to text a piece at a time, with what one TextDecoder over all the bytes would give: a
// character split between pieces waits for its rest, a bad sequence reads as U+FFFD, a byte
// order mark at the very start is dropped (unless kept). An ASCII piece, most logs and JSON, is
// read as Latin-1: the same text for a copy, where decoding UTF-8 examines every byte.
import { isAscii } from 'node:buffer';

const BOM = [0xef, 0xbb, 0xbf];

export class Utf8Pieces {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** The start of a character whose rest has not come yet (or of a possible byte order mark). */
  private held: Buffer | undefined;
  private started: boolean;

  constructor(options: { keepBom?: boolean } = {}) {
    this.started = options.keepBom === true;
  }

  /** The text of the whole characters so far (the bytes may be reused once this returns). */
  push(bytes: Uint8Array): string {
    let input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.held) {
      input = Buffer.concat([this.held, input]);
      this.held = undefined;
    }
    if (!this.started) {
      if (input.length < BOM.length && input.every((b, i) => b === BOM[i])) {
        if (input.length > 0) this.held = Buffer.from(input);
        return '';
      }
      this.started = true;
      if (BOM.every((b, i) => input[i] === b)) input = input.subarray(BOM.length);
    }
    const end = wholeCharactersEnd(input);
    if (end < input.length) this.held = Buffer.from(input.subarray(end));
    return this.text(input.subarray(0, end));
  }

  /** The rest, at the end of the bytes: a character left incomplete is U+FFFD. */
  end(): string {
    const rest = this.held;
    this.held = undefined;
    this.started = true;
    return rest ? this.text(rest) : '';
  }

  private text(piece: Buffer): string {
    return isAscii(piece) ? piece.toString('latin1') : this.decoder.decode(piece);
  }
}

/**
 * Where the last character that may still be incomplete starts, or the length when none may be:
 * a lead byte in the last three with fewer continuation bytes after it than it announces. Cut
 * there, the bytes before it decode alone as they would with the rest: what precedes a lead byte
 * is over, whole or bad, whatever follows.
 */
function wholeCharactersEnd(bytes: Buffer): number {
  const length = bytes.length;
  for (let i = length - 1; i >= 0 && i >= length - 3; i--) {
    const c = bytes[i]!;
    if (c < 0x80) return length;
    if (c >= 0xc0) {
      const announced = c >= 0xf8 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return length - i >= announced ? length : i;
    }
  }
  return length;
}
