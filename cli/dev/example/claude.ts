// A local stand-in for the Anthropic API behind the example anthropic connection: models, messages
// (streamed or not, tool use included), token counting and message batches, under `/v1/…`. Its
// answers echo the prompt and give away a deploy token generated at start, streamed in small
// pieces so that the token is split across content_block_delta events; when the request offers
// tools, it proposes a call of the first one, whose input (`Run: <command>` from the prompt, or a
// deploy command carrying the token) is streamed in small input_json_delta pieces too.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ClaudeReceived {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface ExampleClaude {
  /** Origin; Anthropic clients use it as their base URL (they add `/v1`). */
  url: string;
  /** The API key it insists on, as `x-api-key` (Anthropic) or `Authorization: Bearer` (Azure AI Foundry). */
  token: string;
  /** The secrets its answers give away. */
  secrets: string[];
  /** Every request it received, when started with `record` (tests). */
  received: ClaudeReceived[];
  close(): Promise<void>;
}

export interface ExampleClaudeOptions {
  /** Pause between streamed events (default 5 ms), so streaming can be seen. */
  delayMs?: number;
  /** Keep every request in `received`. */
  record?: boolean;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MODELS = ['claude-example', 'claude-example-haiku'];
/** Characters per streamed delta: small, so the token spans many events. */
const PIECE = 6;

type Json = Record<string, unknown>;

export async function startExampleClaude(options: ExampleClaudeOptions = {}): Promise<ExampleClaude> {
  const token = `sk-ant-example-${randomBytes(24).toString('base64url')}`;
  const deployToken = 'ghp_' + [...randomBytes(36)].map((b) => ALNUM[b % ALNUM.length]).join('');
  const received: ClaudeReceived[] = [];
  const delay = options.delayMs ?? 5;
  let ids = 0;
  const id = (prefix: string) => `${prefix}_${String(++ids).padStart(6, '0')}`;

  const server = createServer(async (req, res) => {
    const body = await readText(req);
    const url = new URL(req.url ?? '/', 'http://claude');
    if (options.record) received.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });
    if (req.headers['x-api-key'] !== token && req.headers.authorization !== `Bearer ${token}`) {
      return error(res, 401, 'authentication_error', 'invalid x-api-key');
    }
    let request: Json = {};
    if (body) {
      try {
        request = JSON.parse(body) as Json;
      } catch {
        return error(res, 400, 'invalid_request_error', 'The request body is not valid JSON.');
      }
    }
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, 200, { data: MODELS.map(modelBody), has_more: false, first_id: MODELS[0], last_id: MODELS.at(-1) });
    }
    if (req.method === 'GET' && path.startsWith('/v1/models/')) {
      const name = decodeURIComponent(path.slice('/v1/models/'.length));
      return MODELS.includes(name) ? json(res, 200, modelBody(name)) : error(res, 404, 'not_found_error', `model: ${name}`);
    }
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: words(JSON.stringify(request.messages ?? [])) });
    if (req.method === 'POST' && path === '/v1/messages') return messages(res, request);
    if (req.method === 'POST' && path === '/v1/messages/batches') {
      const requests = Array.isArray(request.requests) ? request.requests : [];
      return json(res, 200, batchBody(id('msgbatch'), requests.length));
    }
    return error(res, 404, 'not_found_error', `Unknown route ${req.method} ${path}.`);
  });

  async function messages(res: ServerResponse, request: Json): Promise<void> {
    const history = Array.isArray(request.messages) ? (request.messages as Json[]) : [];
    const prompt = lastUserText(history);
    const tools = Array.isArray(request.tools) ? (request.tools as Json[]) : [];
    const answeredTool = history.some((m) => Array.isArray(m.content) && (m.content as Json[]).some((b) => b?.type === 'tool_result'));
    const tool = tools.length > 0 && !answeredTool ? String(tools[0]!.name ?? 'tool') : undefined;
    const command = /\bRun: (.+)$/m.exec(prompt)?.[1] ?? `deploy --token ${deployToken}`;
    const text = tool ? `I will run it with ${tool}.` : `You asked: "${prompt.slice(0, 200)}". The deploy token for this project is ${deployToken} - keep it safe.`;
    const input = JSON.stringify({ command });
    const model = typeof request.model === 'string' ? request.model : MODELS[0]!;
    const stop = tool ? 'tool_use' : 'end_turn';
    const messageId = id('msg');
    const toolId = id('toolu');
    const usage = { input_tokens: words(JSON.stringify(history)), output_tokens: Math.ceil((text.length + (tool ? input.length : 0)) / 4) };
    const content: Json[] = [{ type: 'text', text }, ...(tool ? [{ type: 'tool_use', id: toolId, name: tool, input: JSON.parse(input) }] : [])];
    if (request.stream !== true) {
      return json(res, 200, { id: messageId, type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage });
    }
    const events: Json[] = [
      { type: 'message_start', message: { id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      ...pieces(text).map((piece) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } })),
      { type: 'content_block_stop', index: 0 },
      ...(tool
        ? [
            { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: toolId, name: tool, input: {} } },
            ...pieces(input).map((piece) => ({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: piece } })),
            { type: 'content_block_stop', index: 1 },
          ]
        : []),
      { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } },
      { type: 'message_stop' },
    ];
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    for (const event of events) {
      res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    secrets: [deployToken],
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const modelBody = (name: string) => ({ type: 'model', id: name, display_name: name, created_at: '2026-01-01T00:00:00Z' });

const batchBody = (id: string, count: number) => ({
  id,
  type: 'message_batch',
  processing_status: 'in_progress',
  request_counts: { processing: count, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
  created_at: '2026-01-01T00:00:00Z',
  expires_at: '2026-01-02T00:00:00Z',
  ended_at: null,
  cancel_initiated_at: null,
  archived_at: null,
  results_url: null,
});

const pieces = (text: string) => Array.from({ length: Math.ceil(text.length / PIECE) }, (_, i) => text.slice(i * PIECE, (i + 1) * PIECE));

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

function lastUserText(messages: Json[]): string {
  const user = messages.filter((m) => m.role === 'user').at(-1);
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  if (!Array.isArray(user.content)) return '';
  return (user.content as Json[]).map((b) => (typeof b?.text === 'string' ? b.text : '')).join(' ');
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  json(res, status, { type: 'error', error: { type, message } });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
