import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../../platform/problem.js';
import { resolveTarget } from '../target.js';
import { classifyOpenai } from './classify.js';
import { openaiRoute } from './routes.js';

function classify(method: string, path: string, body?: unknown, upstream = 'https://api.openai.com/v1') {
  const [rawPath, search = ''] = path.slice(1).split('?');
  const bytes = body === undefined ? new Uint8Array() : new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return classifyOpenai({
    method,
    target: resolveTarget(upstream, rawPath!, search ? `?${search}` : ''),
    headers: new Headers({ authorization: 'Bearer agent', 'content-type': 'application/json' }),
    body: { bytes, length: bytes.byteLength },
  });
}

describe('openai routes', () => {
  const cases: Array<[string, string, string, Record<string, string>?]> = [
    ['POST', '/chat/completions', 'chat.completions'],
    ['POST', '/v1/chat/completions', 'chat.completions'],
    ['POST', '/openai/v1/chat/completions', 'chat.completions'],
    ['POST', '/responses', 'responses'],
    ['POST', '/openai/responses', 'responses'],
    ['POST', '/embeddings', 'embeddings'],
    ['GET', '/models', 'models.list'],
    ['GET', '/openai/models', 'models.list'],
    ['GET', '/models/gpt-4o', 'models.retrieve', { model: 'gpt-4o' }],
    ['POST', '/openai/deployments/prod-gpt4o/chat/completions', 'chat.completions', { deployment: 'prod-gpt4o' }],
    ['POST', '/openai/deployments/emb/embeddings', 'embeddings', { deployment: 'emb' }],
    ['GET', '/v1/files', 'GET /v1/files'],
    ['GET', '/chat/completions', 'GET /chat/completions'],
    ['POST', '/v1/audio/speech', 'POST /v1/audio/speech'],
    ['DELETE', '/models/ft-x', 'DELETE /models/ft-x'],
  ];
  for (const [method, path, action, extra] of cases) {
    it(`${method} ${path} → ${action}`, () => {
      const route = openaiRoute(method, path);
      assert.equal(route.action, action);
      for (const [key, value] of Object.entries(extra ?? {})) assert.equal(route[key as 'model'], value);
    });
  }
});

describe('openai classify: chat completions', () => {
  const body = {
    model: 'gpt-4o-mini',
    stream: true,
    tools: [{ type: 'function', function: { name: 'shell', description: 'runs a command', parameters: {} } }],
    messages: [
      { role: 'system', content: 'You are a coding agent.' },
      { role: 'user', content: [{ type: 'text', text: 'Look at this file' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"cat .env"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'DB_PASSWORD=hunter2' },
      { role: 'user', content: 'now print the environment' },
    ],
  };

  it('names the action, model, flags and details', () => {
    const op = classify('POST', '/chat/completions', body);
    assert.equal(op.kind, 'openai');
    assert.deepEqual(op.actions, ['chat.completions']);
    assert.deepEqual(op.resources, ['gpt-4o-mini']);
    assert.deepEqual(op.flags, ['streaming', 'tools', 'read-only']);
    assert.deepEqual(op.details, { model: 'gpt-4o-mini', stream: true });
    assert.equal(op.summary, 'chat.completions gpt-4o-mini streaming');
    assert.equal(op.headers.authorization, undefined);
  });

  it('gives rules every string in order, joined by a space and with nothing: tools, messages, parts, tool calls and results', () => {
    const op = classify('POST', '/chat/completions', body);
    const parts = ['shell', 'runs a command', 'You are a coding agent.', 'Look at this file', 'https://example.com/a.png', 'shell', '{"cmd":"cat .env"}', 'DB_PASSWORD=hunter2', 'now print the environment'];
    assert.deepEqual([op.text, op.matchText], [parts.join(' '), parts.join('')]);
  });

  it('takes the model from an Azure deployment path', () => {
    const op = classify('POST', '/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21', { messages: [{ role: 'user', content: 'hi' }] }, 'https://res.openai.azure.com');
    assert.deepEqual(op.actions, ['chat.completions']);
    assert.deepEqual(op.resources, ['prod-gpt4o']);
    assert.deepEqual(op.flags, ['read-only']);
  });

  it('is read-only (credential tiers) only when the provider keeps nothing', () => {
    const readOnly = (path: string, extra: Record<string, unknown>) =>
      classify('POST', path, { model: 'm', messages: [{ role: 'user', content: 'hi' }], input: 'hi', ...extra }).flags.includes('read-only');
    assert.equal(readOnly('/chat/completions', {}), true);
    assert.equal(readOnly('/chat/completions', { store: true }), false);
    assert.equal(readOnly('/embeddings', {}), true);
    // The Responses API stores responses unless told not to.
    assert.equal(readOnly('/responses', {}), false);
    assert.equal(readOnly('/responses', { store: false }), true);
    assert.equal(classify('POST', '/files', {}).flags.includes('read-only'), false);
  });

  it('refuses a body that is not a JSON object', () => {
    for (const bad of ['{"model":', 'not json', '[1,2]', '"text"']) {
      assert.throws(() => classify('POST', '/chat/completions', bad), (e) => e instanceof Refusal && e.status === 400 && e.type === 'invalid-body', bad);
    }
    assert.throws(() => classify('POST', '/embeddings'), Refusal);
  });
});

describe('openai classify: other routes', () => {
  it('gives the responses API\'s instructions and input items', () => {
    const op = classify('POST', '/responses', {
      model: 'gpt-4.1',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'print all env vars' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA' }] },
        { type: 'function_call', call_id: 'c1', name: 'env', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'HOME=/root' },
      ],
    });
    assert.deepEqual(op.actions, ['responses']);
    const parts = ['Be brief.', 'print all env vars', 'env', '{}', 'HOME=/root'];
    assert.deepEqual([op.text, op.matchText], [parts.join(' '), parts.join('')]);
    assert.equal(classify('POST', '/responses', { model: 'm', input: 'just a string' }).text, 'just a string');
  });

  it('gives embeddings input as text', () => {
    const embedded = classify('POST', '/embeddings', { model: 'e', input: ['one', 'two'] });
    assert.deepEqual([embedded.text, embedded.matchText], ['one two', 'onetwo']);
    assert.equal(classify('POST', '/embeddings', { model: 'e', input: [[1, 2, 3]] }).text, '');
  });

  it('names models calls with the model as the resource', () => {
    assert.deepEqual(classify('GET', '/models').actions, ['models.list']);
    const op = classify('GET', '/models/gpt-4o');
    assert.deepEqual([op.actions, op.resources], [['models.retrieve'], ['gpt-4o']]);
  });

  it('names an unknown path by method and path, for the connection\'s rules to decide', () => {
    const op = classify('POST', '/v1/whatever', '{"x":1}', 'https://api.openai.com');
    assert.deepEqual(op.actions, ['POST /v1/whatever']);
    assert.deepEqual(op.resources, []);
    assert.equal(op.text, '{"x":1}', 'as sent');
    assert.equal(op.matchText, 'x', 'its strings and keys, for rules alone');
  });
});

describe('openai classify: nothing slips past prompt rules', () => {
  it('gives rules the whole prompt, however much padding comes first', () => {
    const padding = 'x'.repeat(2 * 1024 * 1024);
    const op = classify('POST', '/chat/completions', { model: 'm', messages: [{ role: 'user', content: `${padding} print my env` }] });
    assert.ok(op.text.endsWith('print my env'));
  });

  it('includes tool descriptions and predicted output in the prompt text', () => {
    const op = classify('POST', '/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f', description: 'dump the credentials' } }],
      prediction: { type: 'content', content: 'predicted text' },
    });
    assert.match(op.text, /dump the credentials/);
    assert.match(op.text, /predicted text/);
  });

  it('refuses known routes spelled another way instead of judging them as unknown paths', () => {
    for (const path of ['/Chat/Completions', '/chat/completions/', '/EMBEDDINGS']) {
      assert.throws(() => classify('POST', path, { model: 'm', messages: [] }), (e: unknown) => e instanceof Refusal && e.type === 'non-canonical-route', path);
    }
    assert.equal(classify('GET', '/models/MyModel').actions[0], 'models.retrieve');
  });
});
