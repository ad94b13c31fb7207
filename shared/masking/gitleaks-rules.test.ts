// Each rule of gitleaks' default pack that is on by default finds a value built from its own
// regex (regexSample: least counts, first branches, random class members) next to one of its
// keywords, and finds nothing in prose that only names it. The pack's formats are documented
// by its rules; the project's provider rules are tested from the providers' documentation
// (providers.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from './engine.js';
import { createMasker } from './index.js';
import { gitleaksDefaultRules } from './rules/builtin.js';
import { regexSample, seeded } from '../../test/support/masking.js';

const masker = createMasker();

describe('every gitleaks rule on by default', () => {
  for (const rule of gitleaksDefaultRules()) {
    it(rule.id, () => {
      const own = new Engine([rule], []);
      for (const seed of [1, 2, 3]) {
        const sample = regexSample(rule.regex, seeded(seed));
        assert.match(sample, rule.regex);
        const keyword = rule.keywords.find((k) => sample.toLowerCase().includes(k));
        const text = keyword ? `${sample}\n` : `${rule.keywords[0]} ${sample}\n`;
        assert.ok(own.detect(text).length > 0, `not found alone: ${JSON.stringify(text)}`);
        const out = masker.text(text);
        assert.notEqual(out.text, text, `not masked by the default rules: ${JSON.stringify(text)}`);
      }
      for (const keyword of rule.keywords) {
        const prose = `See the ${keyword} section of the documentation; the ${keyword.toUpperCase()} value is set in the portal.`;
        assert.deepEqual(own.detect(prose), [], prose);
      }
    });
  }
});
