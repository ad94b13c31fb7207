import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderPolicyJsonSchema } from './json-schema.js';

describe('policy JSON Schema', () => {
  it('policy.schema.json is current (regenerate: npx portcullis policy schema --out policy.schema.json)', () => {
    const checkedIn = readFileSync(new URL('../../policy.schema.json', import.meta.url), 'utf8');
    assert.equal(checkedIn, renderPolicyJsonSchema());
  });

  it('describes the top-level sections and refuses unknown ones', () => {
    const schema = JSON.parse(renderPolicyJsonSchema()) as { properties: Record<string, unknown>; additionalProperties: unknown; required: string[] };
    for (const key of ['version', 'recording', 'auditors', 'approvals', 'issuers', 'connections', 'rules', 'masking']) {
      assert.ok(key in schema.properties, key);
    }
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required.sort(), ['connections', 'issuers', 'version']);
  });
});
