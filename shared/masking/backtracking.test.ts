import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { nestedRepetition } from './backtracking.js';
import { maskingConfigSchema } from './config.js';
import { loadGitleaksPack } from './gitleaks.js';

describe('rules that could backtrack for ever', () => {
  it('finds a group repeated more than a few times that holds an unbounded repetition', () => {
    for (const [source, found] of [
      ['T-(a+)+$', '(a+)+'],
      ['(?:[a-z]+\\.)+com', '(?:[a-z]+\\.)+'],
      ['((ab)*x)+', '((ab)*x)+'],
      ['(x{2,})*', '(x{2,})*'],
      ['(a+){6}', '(a+){6}'],
      ['(a+){1,9}', '(a+){1,9}'],
    ]) {
      assert.equal(nestedRepetition(source!), found, source);
    }
    for (const source of ['(a+)?', '(a{1,3}){1,2}', '(?:[\\r\\n]{1,2}.*?){1,5}', 'ghp_[A-Za-z0-9]{36}', '(?:a|b)+', '[(]+x', '\\(a+\\)+', '(?i)(?:key|token)[=:]\\s*([a-z0-9]{20,})', '[[:alpha:]]+(x)+']) {
      assert.equal(nestedRepetition(source), undefined, source);
    }
  });

  it('refuses such a rule in a policy, with the part at fault, and in a pack, skipped with the reason', () => {
    const parsed = maskingConfigSchema.safeParse({ rules: [{ id: 'x', regex: 'T-(a+)+$' }] });
    assert.ok(!parsed.success);
    assert.match(parsed.error.issues[0]!.message, /"\(a\+\)\+".*exponential/);
    const pack = loadGitleaksPack(`[[rules]]\nid = "nested"\nregex = '''T-(a+)+$'''\nkeywords = ["t-"]\n`);
    assert.deepEqual(pack.skipped.map((s) => s.id), ['nested']);
    assert.match(pack.skipped[0]!.reason, /exponential/);
  });

  it('leaves every rule of gitleaks\' own pack usable', () => {
    const pack = loadGitleaksPack(readFileSync(new URL('../../test/data/gitleaks/gitleaks.toml', import.meta.url), 'utf8'));
    assert.deepEqual([...pack.skipped, ...pack.warnings].filter((s) => /exponential/.test(s.reason)), []);
  });
});
