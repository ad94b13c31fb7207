// A local stand-in for an OpenAI-compatible API behind the example openai connection: models,
// chat completions and responses (streamed or not, tool calls included) and embeddings, under
// `/v1/…` and Azure's `/openai/deployments/{deployment}/…`. Its answers echo the prompt and give
// away a deploy token generated at start, streamed in small pieces so that the token is split
// across chunks: the gateway must mask it all the same.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LlmReceived {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface ExampleLlm {
  /** Origin; OpenAI-style clients use `${url}/v1`. */
  url: string;
  /** The API key it insists on, as `Authorization: Bearer` or Azure's `api-key`. */
  token: string;
  /** The secrets its answers give away. */
  secrets: string[];
  /** Every request it received, when started with `record` (tests). */
  received: LlmReceived[];
  close(): Promise<void>;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MODELS = ['gpt-example', 'gpt-example-mini', 'text-embedding-example'];
const CREATED = 1_700_000_000;
/** Characters per streamed delta: small, so the token spans many chunks. */
const PIECE = 7;

type Json = Record<string, unknown>;

export interface ExampleLlmOptions {
  /** Pause between streamed chunks (default 5 ms), so streaming can be seen. */
  delayMs?: number;
  /** Keep every request in `received`. */
  record?: boolean;
}

export async function startExampleLlm(options: ExampleLlmOptions = {}): Promise<ExampleLlm> {
  const token = `sk-example-${randomBytes(24).toString('base64url')}`;
  const deployToken = 'ghp_' + [...randomBytes(36)].map((b) => ALNUM[b % ALNUM.length]).join('');
  const received: LlmReceived[] = [];
  const delay = options.delayMs ?? 5;
  let ids = 0;
  const id = (prefix: string) => `${prefix}-${++ids}`;

  const answerTo = (prompt: string) => `You asked: "${prompt.slice(0, 200)}". The deploy token for this project is ${deployToken} - keep it safe.`;
  // `Run: <command>` in the prompt names the command a proposed tool call runs.
  const toolArguments = (prompt: string) => JSON.stringify({ command: /\bRun: (.+)$/m.exec(prompt)?.[1] ?? `deploy --token ${deployToken}` });

  const server = createServer(async (req, res) => {
    const body = await readText(req);
    const url = new URL(req.url ?? '/', 'http://llm');
    if (options.record) received.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });
    const bearer = req.headers.authorization === `Bearer ${token}` || req.headers['api-key'] === token;
    if (!bearer) return openaiError(res, 401, 'invalid_api_key', 'Incorrect API key provided.');
    const route = /^(?:\/openai\/deployments\/([^/]+)|\/openai\/v1|\/openai|\/v1)?(\/.*)$/.exec(url.pathname)!;
    const [, deployment, path] = route;
    let request: Json = {};
    if (body) {
      try {
        request = JSON.parse(body) as Json;
      } catch {
        return openaiError(res, 400, 'invalid_json', 'We could not parse the JSON body of your request.');
      }
    }
    const model = deployment ?? (typeof request.model === 'string' ? request.model : 'gpt-example');

    if (req.method === 'GET' && path === '/models') return json(res, 200, { object: 'list', data: MODELS.map(modelBody) });
    if (req.method === 'GET' && path!.startsWith('/models/')) {
      const name = decodeURIComponent(path!.slice('/models/'.length));
      return MODELS.includes(name) ? json(res, 200, modelBody(name)) : openaiError(res, 404, 'model_not_found', `The model '${name}' does not exist.`);
    }
    if (req.method === 'POST' && path === '/chat/completions') return chat(res, request, model);
    if (req.method === 'POST' && path === '/responses') return responses(res, request, model);
    if (req.method === 'POST' && path === '/embeddings') return embeddings(res, request, model);
    return openaiError(res, 404, 'not_found', `Unknown route ${req.method} ${url.pathname}.`);
  });

  async function chat(res: ServerResponse, request: Json, model: string): Promise<void> {
    const messages = Array.isArray(request.messages) ? (request.messages as Json[]) : [];
    const prompt = lastUserText(messages);
    const useTool = Array.isArray(request.tools) && request.tools.length > 0 && !messages.some((m) => m.role === 'tool');
    const tool = useTool ? String(((request.tools as Json[])[0]!.function as Json | undefined)?.name ?? 'tool') : undefined;
    const text = tool ? toolArguments(prompt) : answerTo(prompt);
    const usage = { prompt_tokens: words(messages.map((m) => textOf(m.content)).join(' ')), completion_tokens: Math.ceil(text.length / 4), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const finish = tool ? 'tool_calls' : 'stop';
    const completionId = id('chatcmpl');
    const callId = id('call');

    if (request.stream !== true) {
      const message = tool
        ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: callId, type: 'function', function: { name: tool, arguments: text } }] }
        : { role: 'assistant', content: text, refusal: null };
      return json(res, 200, { id: completionId, object: 'chat.completion', created: CREATED, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage });
    }
    const includeUsage = (request.stream_options as Json | undefined)?.include_usage === true;
    const chunk = (delta: Json, finishReason: string | null) => ({
      id: completionId,
      object: 'chat.completion.chunk',
      created: CREATED,
      model,
      system_fingerprint: 'fp_example',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage && { usage: null }),
    });
    const events: unknown[] = [
      chunk(tool ? { role: 'assistant', content: null, tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: tool, arguments: '' } }] } : { role: 'assistant', content: '' }, null),
      ...pieces(text).map((piece) => chunk(tool ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece }, null)),
      chunk({}, finish),
      ...(includeUsage ? [{ id: completionId, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_example', choices: [], usage }] : []),
    ];
    await stream(res, events.map((e) => ({ data: e })), true);
  }

  async function responses(res: ServerResponse, request: Json, model: string): Promise<void> {
    const prompt = typeof request.input === 'string' ? request.input : lastUserText(Array.isArray(request.input) ? (request.input as Json[]) : []);
    const text = answerTo(prompt);
    const responseId = id('resp');
    const itemId = id('msg');
    const usage = { input_tokens: words(prompt), output_tokens: Math.ceil(text.length / 4), total_tokens: 0 };
    usage.total_tokens = usage.input_tokens + usage.output_tokens;
    const message = (content: string, status: string) => ({ type: 'message', id: itemId, status, role: 'assistant', content: content ? [{ type: 'output_text', text: content, annotations: [] }] : [] });
    const response = (status: string, output: unknown[], withUsage: boolean) => ({
      id: responseId,
      object: 'response',
      created_at: CREATED,
      status,
      model,
      output,
      instructions: request.instructions ?? null,
      incomplete_details: null,
      error: null,
      usage: withUsage ? usage : null,
    });
    if (request.stream !== true) return json(res, 200, response('completed', [message(text, 'completed')], true));
    const at = { item_id: itemId, output_index: 0, content_index: 0 };
    const events: Array<Json & { type: string }> = [
      { type: 'response.created', response: response('in_progress', [], false) },
      { type: 'response.in_progress', response: response('in_progress', [], false) },
      { type: 'response.output_item.added', output_index: 0, item: message('', 'in_progress') },
      { type: 'response.content_part.added', ...at, part: { type: 'output_text', text: '', annotations: [] } },
      ...pieces(text).map((delta) => ({ type: 'response.output_text.delta', ...at, delta, logprobs: [] })),
      { type: 'response.output_text.done', ...at, text, logprobs: [] },
      { type: 'response.content_part.done', ...at, part: { type: 'output_text', text, annotations: [] } },
      { type: 'response.output_item.done', output_index: 0, item: message(text, 'completed') },
      { type: 'response.completed', response: response('completed', [message(text, 'completed')], true) },
    ];
    await stream(res, events.map((e, i) => ({ event: e.type, data: { ...e, sequence_number: i } })), false);
  }

  function embeddings(res: ServerResponse, request: Json, model: string): void {
    const inputs = Array.isArray(request.input) ? request.input : [request.input];
    const data = inputs.map((input, index) => {
      const vector = vectorOf(JSON.stringify(input));
      const embedding = request.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = words(inputs.map((i) => (typeof i === 'string' ? i : '')).join(' '));
    json(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  async function stream(res: ServerResponse, events: Array<{ event?: string; data: unknown }>, done: boolean): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    for (const { event, data } of events) {
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    }
    if (done) res.write('data: [DONE]\n\n');
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

const modelBody = (name: string) => ({ id: name, object: 'model', created: CREATED, owned_by: 'portcullis-example' });

const pieces = (text: string) => Array.from({ length: Math.ceil(text.length / PIECE) }, (_, i) => text.slice(i * PIECE, (i + 1) * PIECE));

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** The text of a message's content: a string or text parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof (part as Json)?.text === 'string' ? (part as Json).text : '')).join(' ');
}

function lastUserText(messages: Json[]): string {
  const user = messages.filter((m) => m.role === 'user').at(-1);
  return user ? textOf(user.content) : '';
}

/** A small deterministic unit vector for an input. */
function vectorOf(input: string): number[] {
  const digest = createHash('sha256').update(input).digest();
  const raw = Array.from({ length: 8 }, (_, i) => digest.readInt16BE(i * 2) / 32768);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => Math.fround(v / norm));
}

function openaiError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { error: { message, type: 'invalid_request_error', param: null, code } });
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
