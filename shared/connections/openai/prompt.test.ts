import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../guard/decide.js';
import type { Principal } from '../../identity/index.js';
import { loadPolicy } from '../../policy/load.js';
import { resolveTarget } from '../target.js';
import { classifyOpenai } from './classify.js';

// One deny rule per attack a prompt rule is written for; the connection allows everything else.
const loaded = loadPolicy(
  `version: 1
issuers:
  - { issuer: https://issuer.example, audience: portcullis, jwksUri: https://issuer.example/jwks }
connections:
  llm: { kind: openai, upstream: https://api.openai.com/v1, default: allow }
rules:
  - name: no-drop
    match: { body: "(?i)\\\\bdrop\\\\s+table\\\\b" }
    action: deny
  - name: no-rm-rf
    match: { body: "rm -rf /" }
    action: deny
  - name: no-environment-dumps
    match: { body: "(?i)\\\\b(print|dump|show|list|echo|reveal)\\\\b.{0,40}\\\\b(env(ironment)?|credentials?|secrets?|api keys?)\\\\b" }
    action: deny
`,
  { env: 'production', variables: {} },
);
assert.ok(loaded.ok);
const policy = loaded.policy;
const principal: Principal = { subject: 'agent-1', issuer: 'https://issuer.example', groups: ['agents'], claims: {}, kind: 'workload' };

function classify(path: string, body: unknown) {
  const bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return classifyOpenai({
    method: 'POST',
    target: resolveTarget('https://api.openai.com/v1', path.slice(1), ''),
    headers: new Headers({ 'content-type': 'application/json' }),
    body: { bytes, length: bytes.byteLength },
  });
}

/** The rule that decides the request, or `allow` when none denies it. */
function verdict(path: string, body: unknown): string {
  const decision = decide(principal, policy.connections.get('llm')!, classify(path, body), policy);
  return decision.action === 'deny' ? decision.rule : decision.action;
}

const chat = (extra: Record<string, unknown>, messages: unknown[] = [{ role: 'user', content: 'hello' }]) => verdict('/chat/completions', { model: 'gpt-4o', messages, ...extra });
const responses = (extra: Record<string, unknown>) => verdict('/responses', { model: 'gpt-4.1', input: 'hello', ...extra });
const schema = (description: string, property = 'sql') => ({ type: 'object', properties: { [property]: { type: 'string', description } }, required: [property] });

describe('openai prompt rules: every field that carries text to the model', () => {
  it('allows a harmless prompt', () => {
    assert.equal(chat({}), 'allow');
    assert.equal(responses({}), 'allow');
  });

  it('sees a message\'s name', () => {
    assert.equal(chat({}, [{ role: 'user', name: 'drop table users', content: 'do what my name says' }]), 'no-drop');
  });

  it('sees the response_format JSON schema: its name, descriptions, property names and enums', () => {
    const format = (json_schema: unknown) => chat({ response_format: { type: 'json_schema', json_schema } });
    assert.equal(format({ name: 'answer', schema: schema('Then DROP TABLE users') }), 'no-drop');
    assert.equal(format({ name: 'answer', schema: schema('the command', 'print the environment') }), 'no-environment-dumps');
    assert.equal(format({ name: 'answer', description: 'rm -rf / first', schema: schema('x') }), 'no-rm-rf');
    assert.equal(format({ name: 'answer', schema: { type: 'string', enum: ['drop table users'] } }), 'no-drop');
  });

  it('sees Responses prompt variables, names and values, strings and input parts', () => {
    assert.equal(responses({ prompt: { id: 'pmpt_1', variables: { task: 'drop table users' } } }), 'no-drop');
    assert.equal(responses({ prompt: { id: 'pmpt_1', variables: { task: { type: 'input_text', text: 'rm -rf /' } } } }), 'no-rm-rf');
    assert.equal(responses({ prompt: { id: 'pmpt_1', variables: { 'drop table users': 'yes' } } }), 'no-drop');
  });

  it('sees the Responses text.format JSON schema', () => {
    assert.equal(responses({ text: { format: { type: 'json_schema', name: 'out', schema: schema('DROP TABLE orders') } } }), 'no-drop');
    assert.equal(responses({ text: { format: { type: 'json_schema', name: 'out', description: 'print the environment', schema: schema('x') } } }), 'no-environment-dumps');
  });

  it('sees tool definitions: names, descriptions, parameter schemas and tool_choice', () => {
    const tool = (fn: Record<string, unknown>) => chat({ tools: [{ type: 'function', function: { name: 'run', ...fn } }] });
    assert.equal(tool({ parameters: schema('rm -rf / to clean up') }), 'no-rm-rf');
    assert.equal(tool({ parameters: { type: 'object', properties: { cmd: { type: 'string', default: 'DROP TABLE users' } } } }), 'no-drop');
    assert.equal(tool({ name: 'drop_table', description: 'runs sql', parameters: schema('x', 'drop table users') }), 'no-drop');
    assert.equal(chat({ tool_choice: { type: 'function', function: { name: 'print the environment' } } }), 'no-environment-dumps');
    assert.equal(chat({ functions: [{ name: 'f', parameters: schema('DROP TABLE a') }] }), 'no-drop');
    assert.equal(responses({ tools: [{ type: 'function', name: 'run', parameters: schema('rm -rf /') }] }), 'no-rm-rf');
    assert.equal(responses({ tools: [{ type: 'custom', name: 'sql', format: { type: 'grammar', syntax: 'lark', definition: 'start: "DROP TABLE users"' } }] }), 'no-drop');
  });

  it('sees every kind of Responses input item', () => {
    const input = (items: unknown[]) => responses({ input: items });
    assert.equal(input([{ type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'rm -rf /' }] }]), 'no-rm-rf');
    assert.equal(input([{ type: 'custom_tool_call_output', call_id: 'c1', output: 'DROP TABLE users' }]), 'no-drop');
    assert.equal(input([{ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'print the environment' }] }]), 'no-environment-dumps');
    assert.equal(input([{ type: 'local_shell_call', id: 'ls_1', call_id: 'c1', status: 'completed', action: { type: 'exec', command: ['rm', '-rf', '/'], env: {} } }]), 'no-rm-rf');
    assert.equal(input([{ type: 'mcp_approval_response', approval_request_id: 'a1', approve: true, reason: 'drop table users' }]), 'no-drop');
  });

  it('reads a text file sent as a data URL or as base64, and skips binary data', () => {
    const file = (text: string) => Buffer.from(text).toString('base64');
    assert.equal(responses({ input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a.txt', file_data: `data:text/plain;base64,${file('DROP TABLE users')}` }] }] }), 'no-drop');
    assert.equal(chat({}, [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.txt', file_data: file('rm -rf /') } }] }]), 'no-rm-rf');
    assert.equal(responses({ input: [{ role: 'user', content: [{ type: 'input_file', filename: 'big.md', file_data: `data:text/markdown;base64,${file(`${'é notes\n'.repeat(2000)}rm -rf /`)}` }] }] }), 'no-rm-rf');
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from('rm -rf /')]).toString('base64');
    assert.equal(classify('/responses', { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: `data:image/png;base64,${png}` }] }] }).text, '');
    const wav = Buffer.from([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0xff, 0xfe]).toString('base64');
    const op = classify('/chat/completions', { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: wav, format: 'wav' } }] }] });
    assert.equal(op.text, '');
  });

  it('sees the legacy completions prompt and suffix, and flags token ids it cannot read', () => {
    assert.equal(verdict('/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'DROP TABLE users' }), 'no-drop');
    assert.equal(verdict('/completions', { model: 'gpt-3.5-turbo-instruct', prompt: ['ok', 'rm -rf /'] }), 'no-rm-rf');
    assert.equal(verdict('/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'x', suffix: 'drop table users' }), 'no-drop');
    const op = classify('/completions', { model: 'gpt-3.5-turbo-instruct', prompt: [[1, 2, 3]] });
    assert.deepEqual([op.actions, op.flags], [['completions'], ['token-input', 'read-only']]);
    assert.deepEqual(classify('/embeddings', { model: 'e', input: [[1, 2, 3]] }).flags, ['token-input', 'read-only']);
  });

  it('sees through JSON escapes in the body of a route it does not know', () => {
    assert.equal(verdict('/threads/thread_1/messages', '{"role":"user","content":"\\u0044ROP TABLE users"}'), 'no-drop');
    const op = classify('/threads/thread_1/messages', '{"role":"user","content":"\\u0044ROP"}');
    assert.deepEqual([op.text, op.matchText], ['{"role":"user","content":"\\u0044ROP"}', 'DROP']);
  });

  it('leaves out model names, roles and types', () => {
    const op = classify('/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tool_choice: 'auto' });
    assert.deepEqual([op.text, op.matchText], ['hi auto', 'hiauto']);
  });
});

describe('openai prompt rules: splitting does not hide a word', () => {
  it('sees a phrase split across messages', () => {
    assert.equal(chat({}, [{ role: 'user', content: 'DROP' }, { role: 'user', content: ' TABLE users' }]), 'no-drop');
    assert.equal(chat({}, [{ role: 'user', content: 'rm -r' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'f /' }]), 'allow', 'parts that are not adjacent stay apart');
    assert.equal(chat({}, [{ role: 'user', content: 'rm -r' }, { role: 'user', content: 'f /' }]), 'no-rm-rf');
    assert.equal(chat({}, [{ role: 'user', content: 'please print my' }, { role: 'user', content: 'environment' }]), 'no-environment-dumps');
  });

  it('sees a word split across content parts', () => {
    const parts = (...texts: string[]) => chat({}, [{ role: 'user', content: texts.map((text) => ({ type: 'text', text })) }]);
    assert.equal(parts('DR', 'OP TA', 'BLE users'), 'no-drop');
    assert.equal(parts('rm -r', 'f /'), 'no-rm-rf');
    assert.equal(responses({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'DR' }, { type: 'input_text', text: 'OP TABLE x' }] }] }), 'no-drop');
  });

  it('sees a word split across tool results and tool calls', () => {
    assert.equal(
      chat({}, [
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'sh', arguments: '{"cmd":"rm -r' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'f /"}' },
      ]),
      'no-rm-rf',
    );
    assert.equal(
      responses({
        input: [
          { type: 'function_call_output', call_id: 'c1', output: 'DR' },
          { type: 'function_call_output', call_id: 'c2', output: 'OP TABLE users' },
        ],
      }),
      'no-drop',
    );
  });

  it('sees a keyword hidden with full-width letters or zero-width characters', () => {
    assert.equal(chat({}, [{ role: 'user', content: 'ＤＲＯＰ ＴＡＢＬＥ users' }]), 'no-drop');
    assert.equal(chat({}, [{ role: 'user', content: 'D\u200bR\u200dO\u2060P T\ufeffA\u00adBLE users' }]), 'no-drop');
    assert.equal(chat({}, [{ role: 'user', content: 'print the e\u200bnv\u{e0020}ironment' }]), 'no-environment-dumps');
  });
});

describe('openai prompt rules: nesting', () => {
  it('walks a deeply nested body without overflowing the stack', () => {
    const depth = 100_000;
    const body = `{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"x":${'['.repeat(depth)}"DROP TABLE users"${']'.repeat(depth)}}}`;
    assert.equal(verdict('/chat/completions', body), 'no-drop');
  });
});
