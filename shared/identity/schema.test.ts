import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { issuerSchema } from './schema.js';

const base = { issuer: 'https://login.example.com/tenant/v2.0', audience: 'api://portcullis', jwksUri: 'https://login.example.com/keys' };

function messages(input: unknown): string[] {
  const result = issuerSchema.safeParse(input);
  assert.equal(result.success, false, 'expected the schema to reject the entry');
  return result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

test('fills in the defaults', () => {
  assert.deepEqual(issuerSchema.parse(base), {
    ...base,
    groupsClaim: 'groups',
    algorithms: ['RS256', 'ES256'],
    subjectClaim: 'sub',
  });
});

test('rejects the algorithm none', () => {
  const [message] = messages({ ...base, algorithms: ['RS256', 'none'] });
  assert.match(message!, /^algorithms\.1: "none" is not accepted/);
});

test('rejects HS256 and every other symmetric algorithm', () => {
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    const [message] = messages({ ...base, algorithms: [alg] });
    assert.match(message!, new RegExp(`^algorithms\\.0: "${alg}" is not accepted: .*symmetric HS\\*`));
  }
});

test('rejects an empty algorithm list', () => {
  assert.equal(messages({ ...base, algorithms: [] }).length, 1);
});

test('rejects both jwksUri and jwksFile', () => {
  assert.deepEqual(messages({ ...base, jwksFile: 'dev/jwks.json' }), ['jwksFile: give either jwksUri or jwksFile, not both']);
});

test('rejects an entry with neither jwksUri nor jwksFile', () => {
  const { jwksUri: _, ...withoutKeys } = base;
  const [message] = messages(withoutKeys);
  assert.match(message!, /^jwksUri: one of jwksUri .* or jwksFile .* is required$/);
});

test('accepts a local jwksFile on its own', () => {
  const { jwksUri: _, ...withoutUri } = base;
  assert.equal(issuerSchema.parse({ ...withoutUri, jwksFile: 'dev/jwks.json' }).jwksFile, 'dev/jwks.json');
});

test('requires https for jwksUri except on loopback', () => {
  assert.deepEqual(messages({ ...base, jwksUri: 'http://login.example.com/keys' }), [
    'jwksUri: must be an https URL (plain http only for localhost)',
  ]);
  for (const uri of ['http://127.0.0.1:7072/jwks', 'http://localhost/jwks', 'http://[::1]:8080/jwks']) {
    assert.equal(issuerSchema.parse({ ...base, jwksUri: uri }).jwksUri, uri);
  }
});

test('accepts an audience list and rejects an empty one', () => {
  assert.deepEqual(issuerSchema.parse({ ...base, audience: ['a', 'b'] }).audience, ['a', 'b']);
  assert.equal(messages({ ...base, audience: [] }).length, 1);
});

test('rejects unknown fields so a misspelt option is not silently ignored', () => {
  assert.deepEqual(messages({ ...base, groupClaim: 'roles' }).length, 1);
});

test('exports as JSON Schema with every field described', () => {
  const schema = z.toJSONSchema(issuerSchema, { io: 'input' }) as { properties: Record<string, { description?: string }> };
  const fields = Object.keys(issuerSchema.shape);
  assert.deepEqual(Object.keys(schema.properties).sort(), [...fields].sort());
  for (const field of fields) assert.ok(schema.properties[field]!.description, `${field} has no description`);
});
