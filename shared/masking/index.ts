// The masking engine: secrets and PII in text, JSON and streams. Pure: no I/O, no Azure SDK.
export { fingerprint } from './fingerprint.js';
export { maskingConfigSchema, replacementSchema, type MaskingConfig, type MaskingConfigInput } from './config.js';
export { createMasker, type Masker } from './masker.js';
export { ByteMasker, maskByteStream, UnjudgeableStream, type ByteStreamOptions } from './byte-stream.js';
export { budgeted } from './budgeted.js';
export { InspectionBudget, InspectionBudgetExceeded, maskSliced, SLICE, yieldToLoop } from './sliced.js';
export { loadGitleaksPack, type RulePack } from './gitleaks.js';
export { translateRe2, type Translation } from './re2.js';
export type { Finding } from './redact.js';
export { childPath } from './json-path.js';
export type { SecretLiteral } from './literals.js';
export type { StreamMasker } from './stream.js';
export { TextStreams } from './text-streams.js';
export { NdjsonMasker } from './ndjson.js';
export { SseOverflow, SseParser, serializeEvent, type SseEvent } from './sse-events.js';
export type { RegexRule, Replacement } from './rule.js';
export { MAX_SECRET_LENGTH, STREAM_CONTEXT, MAX_SSE_LINE, MIN_SECRET_LITERAL } from './limits.js';
export { DEFAULT_SENSITIVE_KEYS, DEFAULT_IGNORED_KEYS } from './sensitive-keys.js';
