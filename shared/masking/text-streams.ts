// The streamed texts of one answer, each with a StreamMasker of its own, created on first use:
// a token stream's text is masked as the whole it forms across events, so a secret split over
// many events is still found, and text is held back only while a secret may be forming.
import type { Finding } from './redact.js';
import type { StreamMasker } from './stream.js';

export interface StreamSource {
  streamAt(locate: (offset: number) => string): StreamMasker;
}

export class TextStreams {
  private readonly streams = new Map<string, StreamMasker>();
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly masker: StreamSource,
    private readonly findings: Finding[],
  ) {}

  push(key: string, text: string): string {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = this.masker.streamAt((offset) => `${key}:offset:${offset}`);
      this.streams.set(key, stream);
    }
    return this.collect(key, stream, stream.push(text));
  }

  /** Ends the stream of `key`: the text it still held ('' when none). */
  end(key: string): string {
    const stream = this.streams.get(key);
    if (!stream) return '';
    const text = this.collect(key, stream, stream.end());
    this.streams.delete(key);
    this.reported.delete(key);
    return text;
  }

  isOpen(key: string): boolean {
    return this.streams.has(key);
  }

  /** Keys of the streams not yet ended, in the order they started. */
  open(prefix = ''): string[] {
    return [...this.streams.keys()].filter((key) => key.startsWith(prefix));
  }

  private collect(key: string, stream: StreamMasker, text: string): string {
    const seen = this.reported.get(key) ?? 0;
    if (stream.findings.length === seen) return text;
    for (let i = seen; i < stream.findings.length; i++) this.findings.push(stream.findings[i]!);
    this.reported.set(key, stream.findings.length);
    return text;
  }
}
