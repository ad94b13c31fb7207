// Members OpenAI sets anew in every streamed event: `obfuscation`, random characters that even out
// payload sizes (on by default, chat completion chunks and Responses API events alike), and the
// Responses API's `sequence_number`. EventJson masks them on their own, so that the rest of each
// event is still remembered as clean.
export const OPENAI_PER_EVENT = ['obfuscation', 'sequence_number'];
