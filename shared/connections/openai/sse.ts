// The SSE parser is the masking engine's own (shared/masking/sse-events.ts); re-exported for the kind.
export { SseOverflow, SseParser, serializeEvent, type SseEvent } from '../../masking/index.js';
