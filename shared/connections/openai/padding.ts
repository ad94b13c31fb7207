// OpenAI pads each streamed event (chat completion chunks, Responses API events) with random
// characters, `obfuscation`, on by default, so that payload sizes tell nothing about the tokens.
// Masked as text on its own, so that the rest of each event is remembered as clean (EventJson).
export const OPENAI_PADDING = ['obfuscation'];
