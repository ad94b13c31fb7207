import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translateRe2 } from './re2.js';

const compile = (pattern: string) => {
  const t = translateRe2(pattern);
  assert.ok(t.ok, `${pattern}: ${t.ok ? '' : t.reason}`);
  return new RegExp(t.source, t.flags);
};

describe('translateRe2', () => {
  it('turns a leading (?i) into the i flag', () => {
    const t = translateRe2('(?i)secret[a-z]+');
    assert.deepEqual(t, { ok: true, source: 'secret[a-z]+', flags: 'i' });
  });

  it('folds case explicitly when only part of the pattern is case-insensitive', () => {
    const re = compile('\\b(p8e-(?i)[a-z0-9]{4})\\b');
    assert.equal(re.flags, '');
    assert.ok(re.test('p8e-AbC1'));
    assert.ok(!re.test('P8E-abc1'));
  });

  it('keeps (?-i:…) case-sensitive inside a case-insensitive pattern', () => {
    const re = compile('(?i)(?:key|(?-i:[Aa]pi|API))=x');
    assert.ok(re.test('KEY=x') && re.test('Api=x') && re.test('API=x'));
    assert.ok(!re.test('aPI=x'));
  });

  it('scopes (?i:…) groups', () => {
    const re = compile('a(?i:b)c');
    assert.ok(re.test('aBc'));
    assert.ok(!re.test('abC'));
  });

  it('translates POSIX classes, \\A, \\z, \\Q…\\E, \\x{…} and (?P<name>…)', () => {
    assert.ok(compile('^[[:alnum:]]{3}$').test('a1Z'));
    assert.ok(compile('[[:xdigit:][:space:]]+').test('af 09'));
    assert.ok(compile('\\Aab\\z').test('ab'));
    assert.ok(!compile('\\Aab\\z').test('ab\n'));
    assert.ok(compile('\\Qa.b*\\E').test('a.b*'));
    assert.ok(!compile('\\Qa.b*\\E').test('axb'));
    assert.ok(compile('\\x{41}\\x42').test('AB'));
    assert.equal(compile('(?P<tok>x)').exec('x')!.groups!.tok, 'x');
  });

  it('maps (?s) dots and (?m) anchors', () => {
    assert.ok(compile('(?s)a.b').test('a\nb'));
    assert.ok(!compile('a.b').test('a\nb'));
    assert.ok(compile('(?m)^b$').test('a\nb\nc'));
    assert.ok(!compile('^b$').test('a\nb\nc'));
  });

  it('reports what cannot be translated, with the reason', () => {
    for (const [pattern, reason] of [
      ['\\p{Greek}+', /Unicode class/],
      ['(?U)a+', /ungreedy/],
      ['(?=a)', /lookaround/],
      ['a\\1', /backreference/],
      ['[a-z', /missing "]"/],
      ['(ab', /missing "\)"/],
      ['a**', /repeated repetition/],
      ['\\x{1F600}', /outside the Basic Multilingual Plane/],
    ] as const) {
      const t = translateRe2(pattern);
      assert.equal(t.ok, false, pattern);
      assert.match((t as { reason: string }).reason, reason, pattern);
    }
  });
});
