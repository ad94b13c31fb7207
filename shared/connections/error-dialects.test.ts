import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal, toProblem } from '../platform/problem.js';
import { anthropicErrors, armErrors, jsonRpcErrors, kubernetesErrors, openaiErrors } from './error-dialects.js';

const denied = () =>
  new Refusal({ status: 403, type: 'denied', title: 'Denied by policy', detail: 'No deletes from agents', extensions: { rule: 'no-deletes' } });

const answer = (dialect: Refusal['dialect']) => {
  const refusal = Object.assign(denied(), { dialect });
  const problem = toProblem(refusal, 'req-1');
  return { contentType: problem.headers['content-type'], body: JSON.parse(problem.body) as Record<string, unknown> };
};

const MESSAGE = 'Denied by policy: No deletes from agents (rule no-deletes, request req-1)';

describe('error dialects: refusals in the shape each kind\'s clients read', () => {
  it('keeps plain problem+json when the kind has no dialect', () => {
    const { contentType, body } = answer(undefined);
    assert.equal(contentType, 'application/problem+json');
    assert.deepEqual(Object.keys(body).sort(), ['detail', 'requestId', 'rule', 'status', 'title', 'type']);
  });

  it('adds OpenAI\'s error object to the problem', () => {
    const { contentType, body } = answer(openaiErrors);
    assert.equal(contentType, 'application/problem+json');
    assert.equal(body.type, 'urn:portcullis:problem:denied');
    assert.equal(body.status, 403);
    assert.deepEqual(body.error, { message: MESSAGE, type: 'permission_error', code: 'denied', param: null });
  });

  it('adds Anthropic\'s error object to the problem', () => {
    const { body } = answer(anthropicErrors);
    assert.deepEqual(body.error, { type: 'permission_error', message: MESSAGE });
    assert.equal(body.rule, 'no-deletes');
  });

  it('answers ARM\'s error object as JSON, the code in Pascal case', () => {
    const { contentType, body } = answer(armErrors);
    assert.match(contentType!, /^application\/json/);
    assert.deepEqual(body.error, { code: 'Denied', message: MESSAGE });
    const unknown = toProblem(Object.assign(new Refusal({ status: 404, type: 'unknown-connection', title: 'Unknown connection', detail: 'x' }), { dialect: armErrors }), 'r');
    assert.equal((JSON.parse(unknown.body) as { error: { code: string } }).error.code, 'UnknownConnection');
  });

  it('answers a Kubernetes Status, its code the HTTP status', () => {
    const { contentType, body } = answer(kubernetesErrors);
    assert.equal(contentType, 'application/json');
    assert.equal(body.kind, 'Status');
    assert.equal(body.apiVersion, 'v1');
    assert.equal(body.status, 'Failure');
    assert.equal(body.code, 403);
    assert.equal(body.reason, 'Forbidden');
    assert.equal(body.message, MESSAGE);
    assert.equal(body.type, 'urn:portcullis:problem:denied', 'the problem type is kept');
  });

  it('answers a JSON-RPC 2.0 error for MCP clients', () => {
    const { body } = answer(jsonRpcErrors);
    assert.equal(body.jsonrpc, '2.0');
    assert.equal(body.id, null);
    const error = body.error as { code: number; message: string; data: Record<string, unknown> };
    assert.ok(error.code <= -32000 && error.code >= -32099, 'a server error code');
    assert.equal(error.message, MESSAGE);
    assert.deepEqual(error.data, { type: 'denied', status: 403, requestId: 'req-1' });
  });
});
