// Every rule of the vendored gitleaks pack runs in time linear in the input: its keywords
// repeated, separators without values, unterminated quotes, long runs of a value class, from
// 64 KB to 256 KB. Gitleaks' regexes are written for RE2, which is linear; here they run in a
// backtracking engine, kept linear by the bounded windows around keyword hits (engine.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Engine } from './engine.js';
import { loadGitleaksPack } from './gitleaks.js';
import { adversarialInputs, superLinear } from '../../test/support/masking.js';

const SIZE = 1 << 16;
const pack = loadGitleaksPack(readFileSync(new URL('../../test/data/gitleaks/gitleaks.toml', import.meta.url), 'utf8'));

describe('every rule of the gitleaks pack runs in linear time', () => {
  it('loads the whole pack', () => assert.equal(pack.rules.length, 217));
  for (const rule of pack.rules) {
    it(rule.id, () => {
      const engine = new Engine([rule], []);
      assert.deepEqual(superLinear((t) => engine.detect(t), (size) => adversarialInputs(rule.keywords, size), SIZE), []);
    });
  }
});
