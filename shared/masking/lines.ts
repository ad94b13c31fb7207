// Streamed text split into lines. The line not yet ended grows by appending (a rope that is
// flattened once, when it ends), and only the new text is searched for line ends: a long line
// pushed in small pieces costs its length, not its length squared (1 MB of SSE in 64-byte chunks
// took 15 s when each push split the whole line again).

const NONE: readonly string[] = [];

export class LineSplitter {
  /** The line not yet ended. */
  partial = '';
  /** A CR ends the text so far: the first half of a CRLF, maybe. */
  private pendingCr = false;
  /** A CR or CR LF ended a line so far. */
  sawCr = false;

  /** `cr`: CR LF and a CR alone end a line too, as in Server-Sent Events; else only LF does. */
  constructor(private readonly cr: boolean) {}

  /** The lines `text` ends, without their line ends. */
  push(text: string): readonly string[] {
    if (this.cr) {
      if (this.pendingCr) text = '\r' + text;
      this.pendingCr = text.endsWith('\r');
      if (this.pendingCr) text = text.slice(0, -1);
      if (text.includes('\r')) {
        this.sawCr = true;
        text = text.replace(/\r\n?/g, '\n');
      }
    }
    if (!text.includes('\n')) {
      this.partial += text;
      return NONE;
    }
    const lines = text.split('\n');
    lines[0] = this.partial + lines[0];
    this.partial = lines.pop()!;
    return lines;
  }

  /** Whether the stream has text after its last line end (a partial line, or a CR held). */
  get unterminated(): boolean {
    return this.pendingCr || this.partial.length > 0;
  }

  /** Takes the partial line, at the stream's end: a CR held ends it. */
  take(): string {
    const line = this.partial;
    this.partial = '';
    this.pendingCr = false;
    return line;
  }
}
