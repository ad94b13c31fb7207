import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, decideToolCall } from '../../guard/decide.js';
import type { Principal } from '../../identity/index.js';
import { loadPolicy } from '../../policy/load.js';
import { Refusal } from '../../platform/problem.js';
import { resolveTarget } from '../target.js';
import { classifyAnthropic } from './classify.js';

const loaded = loadPolicy(
  `version: 1
issuers:
  - { issuer: https://issuer.example, audience: portcullis, jwksUri: https://issuer.example/jwks }
connections:
  claude: { kind: anthropic, upstream: https://api.anthropic.com, default: allow }
rules:
  - name: no-drop
    match: { body: "(?i)\\\\bdrop\\\\s+table\\\\b" }
    action: deny
  - name: no-batches
    match: { actions: "messages.batches.*" }
    action: deny
  - name: no-rg-delete
    match: { toolCalls: { input: "(?i)\\\\baz\\\\s+group\\\\s+delete\\\\b" } }
    action: deny
  - name: hold-destroy
    match: { toolCalls: { name: [Bash, "mcp__*"], input: "terraform\\\\s+destroy" } }
    action: review
    review: { groups: [reviewers] }
`,
  { env: 'production', variables: {} },
);
assert.ok(loaded.ok, JSON.stringify(loaded));
const policy = loaded.policy;
const connection = policy.connections.get('claude')!;
const principal: Principal = { subject: 'agent-1', issuer: 'https://issuer.example', groups: ['agents'], claims: {}, kind: 'workload' };

function classify(path: string, body: unknown, method = 'POST') {
  const bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return classifyAnthropic({
    method,
    target: resolveTarget('https://api.anthropic.com', path.slice(1), ''),
    headers: new Headers({ 'content-type': 'application/json' }),
    body: { bytes, length: bytes.byteLength },
  });
}

const verdict = (body: Record<string, unknown>, path = '/v1/messages') => {
  const decision = decide(principal, connection, classify(path, { model: 'claude-sonnet-4-5', max_tokens: 10, ...body }), policy);
  return decision.action === 'deny' ? decision.rule : decision.action;
};
const user = (content: unknown) => ({ messages: [{ role: 'user', content }] });
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('anthropic classify: routes and the text prompt rules see', () => {
  it('names the routes, the model and the flags', () => {
    const op = classify('/v1/messages', { model: 'claude-x', stream: true, tools: [{ name: 't', input_schema: {} }], thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [] });
    assert.deepEqual([op.actions, op.resources, op.flags], [['messages'], ['claude-x'], ['streaming', 'tools', 'thinking']]);
    assert.deepEqual(classify('/v1/messages/count_tokens', { model: 'm', messages: [] }).actions, ['messages.count_tokens']);
    assert.deepEqual(classify('/v1/models', '', 'GET').actions, ['models.list']);
    assert.deepEqual(classify('/v1/models/claude-x', '', 'GET').resources, ['claude-x']);
    assert.deepEqual(classify('/v1/messages/batches/msgbatch_1/results', '', 'GET').actions, ['messages.batches.results']);
    const batch = classify('/v1/messages/batches', { requests: [{ custom_id: 'a', params: { model: 'm1', messages: [] } }, { custom_id: 'b', params: { model: 'm2', messages: [] } }] });
    assert.deepEqual([batch.actions, batch.resources, batch.flags], [['messages.batches.create'], ['m1', 'm2'], ['batch']]);
    assert.equal(verdict({ requests: [] }, '/v1/messages/batches'), 'no-batches');
  });

  it('refuses a prompt route in another spelling and a body that is not a JSON object', () => {
    assert.throws(() => classify('/v1/Messages', {}), (e: unknown) => e instanceof Refusal && e.type === 'non-canonical-route');
    assert.throws(() => classify('/v1/messages/', {}), (e: unknown) => e instanceof Refusal && e.type === 'non-canonical-route');
    assert.throws(() => classify('/v1/messages', '[1]'), (e: unknown) => e instanceof Refusal && e.type === 'invalid-body');
  });

  it('sees the system prompt, string or blocks', () => {
    assert.equal(verdict({ system: 'then DROP TABLE users', ...user('hi') }), 'no-drop');
    assert.equal(verdict({ system: [{ type: 'text', text: 'DROP TABLE users', cache_control: { type: 'ephemeral' } }], ...user('hi') }), 'no-drop');
  });

  it('sees every text block, split or not, and earlier tool calls\' inputs', () => {
    assert.equal(verdict(user([{ type: 'text', text: 'drop' }, { type: 'text', text: ' table users' }])), 'no-drop');
    assert.equal(verdict({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'sql', input: { q: 'DROP TABLE users' } }] }] }), 'no-drop');
  });

  it('sees tool results, string or blocks', () => {
    assert.equal(verdict(user([{ type: 'tool_result', tool_use_id: 't', content: 'DROP TABLE users' }])), 'no-drop');
    assert.equal(verdict(user([{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'DROP TABLE users' }] }])), 'no-drop');
  });

  it('sees documents: plain text, base64 text and their titles and context, not images', () => {
    assert.equal(verdict(user([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'DROP TABLE users' } }])), 'no-drop');
    assert.match(classify('/v1/messages', { model: 'm', ...user([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Zm9v' } }]) }).text, /Zm9v/);
    assert.equal(verdict(user([{ type: 'document', source: { type: 'base64', media_type: 'text/plain', data: b64('DROP TABLE users') } }])), 'no-drop');
    assert.equal(verdict(user([{ type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'DROP TABLE users' }] } }])), 'no-drop');
    assert.equal(verdict(user([{ type: 'document', title: 'DROP TABLE users', context: 'x', source: { type: 'url', url: 'https://example.com/a.pdf' } }])), 'no-drop');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), Buffer.alloc(2000, 7)]).toString('base64');
    assert.equal(classify('/v1/messages', { model: 'm', ...user([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }]) }).text, '');
  });

  it('sees tool definitions: names, descriptions, schema property names and enums', () => {
    const tool = (t: Record<string, unknown>) => verdict({ tools: [{ name: 'run', input_schema: { type: 'object' }, ...t }], ...user('hi') });
    assert.equal(tool({ description: 'first DROP TABLE users' }), 'no-drop');
    assert.equal(tool({ input_schema: { type: 'object', properties: { 'drop table users': { type: 'string' } } } }), 'no-drop');
    assert.equal(tool({ input_schema: { type: 'object', properties: { q: { type: 'string', enum: ['DROP TABLE users'] } } } }), 'no-drop');
  });

  it('sees JSON escapes and look-alike letters as what they are', () => {
    assert.equal(verdict(user('\uff24\uff32\uff2f\uff30 TABLE users')), 'no-drop');
    assert.equal(verdict(user('DR\u200bOP TABLE users')), 'no-drop');
  });
});

describe('tool-call rules', () => {
  const op = classify('/v1/messages', { model: 'm', ...user('clean up') });
  const judge = (name: string, input: unknown) => {
    const decision = decideToolCall(principal, connection, op, { name, input }, policy);
    return `${decision.action}:${decision.rule}`;
  };

  it('never judge a request', () => {
    assert.equal(verdict(user('az group delete --name rg; terraform destroy')), 'allow');
  });

  it('judge a proposed call by its name and its input, escapes and look-alikes included', () => {
    assert.equal(judge('Bash', { command: 'az group delete --name rg --yes' }), 'deny:no-rg-delete');
    assert.equal(judge('Bash', { command: 'AZ  GROUP\tDELETE -n rg' }), 'deny:no-rg-delete');
    assert.equal(judge('Bash', JSON.parse('{"command":"az group \\u0064elete -n rg"}')), 'deny:no-rg-delete');
    assert.equal(judge('Bash', { command: 'az group dele\u200bte -n rg' }), 'deny:no-rg-delete');
    assert.equal(judge('shell', 'az group delete -n rg'), 'deny:no-rg-delete');
    assert.equal(judge('Bash', { command: 'terraform destroy -auto-approve' }), 'review:hold-destroy');
    assert.equal(judge('bash', { nested: { args: ['cd infra', 'terraform destroy'] } }), 'review:hold-destroy');
    assert.equal(judge('mcp__tf__run', { cmd: 'terraform destroy' }), 'review:hold-destroy');
    assert.equal(judge('Edit', { text: 'terraform destroy' }), 'allow:default');
    assert.equal(judge('Bash', { command: 'az group list' }), 'allow:default');
  });

  it('deny beats review when both match', () => {
    assert.equal(judge('Bash', { command: 'terraform destroy && az group delete -n x' }), 'deny:no-rg-delete');
  });
});
