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

export function maskByteStream(
  masker: LineMasker & { stream(): StreamMasker },
  options: ByteStreamOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const encoder = new TextEncoder();
  const sink: StreamMasker =
    options.sse ? new SseMasker(masker) : options.ndjson ? new NdjsonMasker(masker) : masker.stream();
  let reported = 0;
  const report = () => {
    if (!options.onFindings || sink.findings.length === reported) return;
    const fresh = sink.findings.slice(reported);
    reported = sink.findings.length;
    options.onFindings(fresh);
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const decoded = decoder.decode(chunk, { stream: true });
      if (options.textOnly && decoded.includes('\0')) throw new UnjudgeableStream();
      const text = sink.push(decoded);
      if (text.length > 0) controller.enqueue(encoder.encode(text));
      report();
    },
    flush(controller) {
      const text = sink.push(decoder.decode()) + sink.end();
      if (text.length > 0) controller.enqueue(encoder.encode(text));
      report();
    },
  });
}
