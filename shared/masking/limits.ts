// Size limits that bound how much the engine looks at, and how much a stream holds back.

/**
 * The longest secret the engine promises to find whole, in UTF-16 code units. A PEM RSA-4096
 * private key is about 3.3 KB; a regex whose match could be longer is cut off here. A stream
 * never holds back more than this (plus the rest of a secret it has already found).
 */
export const MAX_SECRET_LENGTH = 8192;

/** Already-emitted text a stream keeps as context, so that a keyword before a secret is still seen. */
export const STREAM_CONTEXT = 256;

/** An SSE line longer than this is masked as streamed text rather than held whole for JSON mode. */
export const MAX_SSE_LINE = 1 << 20;

/** Nesting deeper than this (JSON, or JSON inside strings) is masked as text rather than walked. */
export const MAX_JSON_DEPTH = 256;

/**
 * Secret literals (Masker.withSecrets) shorter than this are ignored: so short a value occurs in
 * ordinary text too often to be masked wherever it appears.
 */
export const MIN_SECRET_LITERAL = 8;
