// A TransformStream for proxied bodies: bytes in, masked bytes out, passed on as soon as they
// are safe. UTF-8 is decoded in stream mode, so a character split across chunks is whole.
import { NdjsonMasker } from './ndjson.js';
import type { Finding } from './redact.js';
import { SseMasker, type LineMasker } from './sse.js';
import type { StreamMasker } from './stream.js';

export interface ByteStreamOptions {
  /** Server-Sent Events: masked event by event (JSON-aware, token streams across events). */
  sse?: boolean;
  /** Newline-delimited JSON: masked line by line (JSON-aware, token streams across lines). */
  ndjson?: boolean;
  /**
   * Text only: a NUL character (UTF-16 without a charset, binary labelled as text) means the
   * stream is not text the rules can read, and it is cut with an UnjudgeableStream error.
   */
  textOnly?: boolean;
  /** Called with each batch of new findings, as they are made. */
  onFindings?: (findings: Finding[]) => void;
}

export class UnjudgeableStream extends Error {
  constructor() {
    super('the stream is not text (it holds a NUL character) and cannot be masked');
  }
}

/** Bytes in, masked bytes out, for a stream transform that also does other work per chunk. */
export class ByteMasker {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly sink: StreamMasker;
  private reported = 0;

  constructor(
    masker: LineMasker & { stream(): StreamMasker },
    private readonly options: ByteStreamOptions = {},
  ) {
    this.sink = options.sse ? new SseMasker(masker) : options.ndjson ? new NdjsonMasker(masker) : masker.stream();
  }

  /** The masked bytes safe to pass on so far (possibly none). */
  push(chunk: Uint8Array): Uint8Array | undefined {
    const decoded = this.decoder.decode(chunk, { stream: true });
    if (this.options.textOnly && decoded.includes('\0')) throw new UnjudgeableStream();
    return this.out(this.sink.push(decoded));
  }

  /** The rest, at the end of the input. */
  end(): Uint8Array | undefined {
    return this.out(this.sink.push(this.decoder.decode()) + this.sink.end());
  }

  private out(text: string): Uint8Array | undefined {
    this.report();
    // Buffer.from: a streamed event is small, and TextEncoder gives each its own ArrayBuffer, which
    // costs several times the encoding; Buffer takes small ones from a shared pool.
    return text.length > 0 ? Buffer.from(text, 'utf8') : undefined;
  }

  private report(): void {
    const { sink, options } = this;
    if (!options.onFindings || sink.findings.length === this.reported) return;
    const fresh = sink.findings.slice(this.reported);
    this.reported = sink.findings.length;
    options.onFindings(fresh);
  }
}

export function maskByteStream(
  masker: LineMasker & { stream(): StreamMasker },
  options: ByteStreamOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const bytes = new ByteMasker(masker, options);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const out = bytes.push(chunk);
      if (out) controller.enqueue(out);
    },
    flush(controller) {
      const out = bytes.end();
      if (out) controller.enqueue(out);
    },
  });
}
