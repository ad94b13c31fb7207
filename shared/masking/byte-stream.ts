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
  /** Called with each batch of new findings, as they are made. */
  onFindings?: (findings: Finding[]) => void;
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
      const text = sink.push(decoder.decode(chunk, { stream: true }));
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
