// Child process of the proxy benchmark: the upstream every gateway forwards to. An OpenAI-style
// chat completion (about 1 KB of JSON), or the same answer streamed as 50 deltas when the request
// asks for `"stream": true`; GET answers 1.1 KB of JSON. Prints its address as one JSON line and
// runs until its stdin closes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completion, DELTAS, words } from './chat-answer.js';

// Each chunk carries its own padding, as OpenAI's do by default (`obfuscation`, random characters
// that even out payload sizes).
const chunk = (n: number, delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-bench', choices: [{ index: 0, delta, finish_reason: finish }], obfuscation: padding(n) })}\n\n`;
const padding = (n: number) => ((n * 2_654_435_761) % 4_294_967_296).toString(36).slice(0, 2 + (n % 9));
const stream = [chunk(0, { role: 'assistant', content: '' }), ...words.slice(0, DELTAS - 2).map((w, i) => chunk(i + 1, { content: w })), chunk(DELTAS - 1, {}, 'stop'), 'data: [DONE]\n\n'];
const items = JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item-${i}`, quantity: i * 3 })) });

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(items) });
      res.end(items);
      return;
    }
    if (/"stream"\s*:\s*true/.test(Buffer.concat(parts).toString())) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of stream) res.write(event);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
    res.end(completion);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }) + '\n');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
