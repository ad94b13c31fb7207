// The benchmarks' upstream answer: an OpenAI-style chat completion of about 1 KB, and the words
// its streamed form sends one delta at a time. One definition, so that what the proxy benchmark
// forwards and what the recorder benchmark records stay the same answer.

/** Deltas in the streamed answer. */
export const DELTAS = 50;
export const words = Array.from({ length: DELTAS }, (_, i) => `word${i} `);
export const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-bench',
  choices: [{ index: 0, message: { role: 'assistant', content: words.join('').repeat(2).slice(0, 760) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 100, total_tokens: 112 },
});
