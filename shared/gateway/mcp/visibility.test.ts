import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { READ_ONLY_FLAG } from '../../connections/operation.js';
import { classifyMessage } from '../../connections/mcp/classify.js';
import type { Principal } from '../../identity/index.js';
import type { Policy } from '../../policy/compile.js';
import { loadPolicy } from '../../policy/load.js';
import { possibleOutcomes, visibility } from './visibility.js';

function policy(rules: string): Policy {
  const text = `version: 1
issuers:
  - { issuer: https://issuer.example, audience: portcullis, jwksUri: https://issuer.example/jwks }
connections:
  tools: { kind: mcp, upstream: https://mcp.example/mcp, groups: [agents] }
rules:
${rules}`;
  const result = loadPolicy(text, { env: 'production', variables: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.policy;
}

const agent: Principal = { subject: 'agent-1', issuer: 'https://issuer.example', groups: ['agents'], claims: {}, kind: 'workload' };
const call = (tool: string, readOnly = false) => {
  const op = classifyMessage({ type: 'request', message: { jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name: tool } } }, new Headers());
  return readOnly ? { ...op, flags: [READ_ONLY_FLAG] } : op;
};
const seen = (rules: string, tool: string, options: { readOnly?: boolean; principal?: Principal } = {}) => {
  const p = policy(rules);
  return visibility(possibleOutcomes(options.principal ?? agent, p.connections.get('tools')!, call(tool, options.readOnly), p));
};

describe('mcp list visibility', () => {
  it('shows a tool a rule on its arguments may allow, and hides one every rule denies', () => {
    assert.equal(seen(`  - { name: src, match: { actions: "tools/call:read_file", arguments: { "$.path": "^/src/" } }, action: allow }`, 'read_file'), 'show');
    assert.equal(seen(`  - { name: src, match: { actions: "tools/call:read_file", body: "src" }, action: allow }`, 'read_file'), 'show');
    assert.equal(seen(`  - { name: purge, match: { actions: "tools/call:purge", arguments: { "$.all": "true" } }, action: deny }`, 'purge'), 'hide');
    assert.equal(seen(`  - { name: other, match: { actions: "tools/call:other" }, action: allow }`, 'read_file'), 'hide');
  });

  it('lets a rule that always matches decide, unless a stricter one may match a call', () => {
    const rules = `  - { name: all, match: { actions: "tools/call:*" }, action: allow }
  - { name: etc, match: { actions: "tools/call:write_file", arguments: { "$.path": "^/etc/" } }, action: review, review: { groups: [leads] } }
  - { name: never, match: { actions: "tools/call:wipe" }, action: deny }
  - { name: loose, match: { actions: "tools/call:wipe", arguments: { "$.dry": "true" } }, action: allow }`;
    assert.equal(seen(rules, 'write_file'), 'review', 'some calls need approval');
    assert.equal(seen(rules, 'read_file'), 'show');
    assert.equal(seen(rules, 'wipe'), 'hide', 'a deny that always matches wins over an allow that may');
  });

  it('uses the read-only flag the tool says it has', () => {
    const rules = `  - { name: reads, match: { actions: "tools/call:*", flags: read-only }, action: allow }`;
    assert.equal(seen(rules, 'lookup', { readOnly: true }), 'show');
    assert.equal(seen(rules, 'write_file'), 'hide');
  });

  it("hides everything from a principal outside the connection's groups", () => {
    const rules = `  - { name: all, match: { actions: "tools/call:*" }, action: allow }`;
    assert.equal(seen(rules, 'read_file', { principal: { ...agent, groups: ['contractors'] } }), 'hide');
  });
});
