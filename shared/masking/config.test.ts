import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { createMasker, maskingConfigSchema } from './index.js';

describe('maskingConfigSchema', () => {
  it('fills sensible defaults for an empty section', () => {
    const config = maskingConfigSchema.parse({});
    assert.deepEqual(config.pii, { email: true, phone: true, card: true, iban: true, ssn: true, ip: false });
    assert.deepEqual(config.sensitiveKeys.mode, 'extend');
    assert.deepEqual(config.rules, []);
    assert.deepEqual(config.disabled, []);
  });

  it('reports every problem at once, with paths', () => {
    const result = maskingConfigSchema.safeParse({
      pii: { email: 'yes' },
      rules: [
        { id: 'a', regex: '(?U)x' },
        { id: 'a', regex: '[' },
        { id: 'b c', regex: 'x(y)', secretGroup: 2 },
      ],
      replacements: { x: { keep: 0 } },
      unknown: 1,
    });
    assert.equal(result.success, false);
    const paths = result.error!.issues.map((i) => i.path.join('.')).sort();
    assert.deepEqual(paths, ['', 'pii.email', 'replacements.x.keep', 'rules.0.regex', 'rules.1.regex', 'rules.2.id', 'rules.2.secretGroup']);
  });

  it('catches duplicate custom rule ids', () => {
    const result = maskingConfigSchema.safeParse({ rules: [{ id: 'a', regex: 'x' }, { id: 'a', regex: 'y' }] });
    assert.deepEqual(result.error?.issues.map((i) => i.message), ['duplicate rule id "a"']);
  });

  it('exports as JSON Schema with a description on every field', () => {
    const schema = z.toJSONSchema(maskingConfigSchema, { io: 'input' }) as { properties: Record<string, { description?: string; properties?: Record<string, { description?: string }> }> };
    for (const [name, field] of Object.entries(schema.properties)) {
      assert.ok(field.description, name);
      for (const [inner, sub] of Object.entries(field.properties ?? {})) assert.ok(sub.description, `${name}.${inner}`);
    }
  });
});

describe('createMasker with policy rules', () => {
  it('runs custom rules in RE2 syntax with keywords, entropy, secret group and replacement', () => {
    const masker = createMasker({
      rules: [
        { id: 'acme-token', regex: '(?i)acme_(?:live|test)_([a-z0-9]{12})', keywords: ['acme_'], secretGroup: 1, replacement: { keep: 3 } },
        { id: 'ticket', regex: 'TKT-[0-9]{6}' },
        { id: 'high', regex: 'hx_[a-z]{10}', keywords: ['hx_'], entropy: 3 },
      ],
    });
    assert.equal(masker.text('ACME_LIVE_abc123def456').text, 'ACME_LIVE_[MASKED:acme-token]456');
    assert.equal(masker.text('see TKT-123456').text, 'see [MASKED:ticket]');
    assert.equal(masker.text('hx_aaaaaaaaaa hx_qwertyuiop').text, 'hx_aaaaaaaaaa [MASKED:high]');
    assert.equal(masker.ruleCount, createMasker().ruleCount + 3);
  });

  it('overrides a built-in rule replacement and counts rules in force', () => {
    const masker = createMasker({ replacements: { 'sensitive-key': { keep: 2 } }, disabled: ['pii-email'] });
    assert.equal(masker.auto('{"password":"abcdefgh"}').text, '{"password":"[MASKED:sensitive-key]gh"}');
    assert.equal(masker.ruleCount, createMasker().ruleCount - 1);
  });
});
