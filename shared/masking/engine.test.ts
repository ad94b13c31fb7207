// Where the engine puts a finding: the secret group's place in its match, however the match
// repeats the group's text, and how spans from many candidates merge.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from './engine.js';
import type { RegexRule } from './rule.js';

const spans = (rule: RegexRule, text: string) => new Engine([rule], []).detect(text).map((s) => [s.start, s.end, text.slice(s.start, s.end)]);

describe('engine: the secret group', () => {
  // Led by its keyword, a regex runs at its hits; with a prefix of no fixed length, in windows around them.
  for (const [how, lead] of [['at its hits', ''], ['in windows', '(?:<+)?']]) {
    const regex = (source: string) => new RegExp(lead + source);
    it(`finds the group where it lies when its text occurs twice in the match (${how})`, () => {
      const rule: RegexRule = { id: 'r', keywords: ['key'], regex: regex(String.raw`key=(\w+)-(\w+)`), secretGroup: 2 };
      assert.deepEqual(spans(rule, 'x key=abcdef-abcdef y'), [[13, 19, 'abcdef']]);
      assert.deepEqual(spans(rule, 'x key=ab-abab y'), [[9, 13, 'abab']]);
    });

    it(`takes the first non-empty group when none is named, else the whole match (${how})`, () => {
      const rule: RegexRule = { id: 'r', keywords: ['key'], regex: regex(String.raw`key(?:=(\w*)|:(\w+))?`) };
      assert.deepEqual(spans(rule, 'key=v1 key:v2 key key='), [[4, 6, 'v1'], [11, 13, 'v2'], [14, 17, 'key'], [18, 22, 'key=']]);
    });

    it(`finds nothing when the named group is empty or did not take part (${how})`, () => {
      const rule: RegexRule = { id: 'r', keywords: ['key'], regex: regex(String.raw`key(?:=(\w*)|:)`), secretGroup: 1 };
      assert.deepEqual(spans(rule, 'key= key: key=value'), [[14, 19, 'value']]);
    });
  }

  it('gives the allow filter the line around the secret, for each candidate', () => {
    const lines: string[] = [];
    const rule: RegexRule = {
      id: 'r', keywords: ['key'], regex: /key=(\w+)/, anchoredLead: 0,
      allow: (secret, _match, line) => (lines.push(line()), secret === 'kept'),
    };
    assert.deepEqual(spans(rule, 'a key=one\nb key=kept\nc key=two'), [[6, 9, 'one'], [27, 30, 'two']]);
    assert.deepEqual(lines, ['a key=one', 'b key=kept', 'c key=two']);
  });
});

describe('engine: merging', () => {
  it('merges overlapping findings of several rules into their union, named by the first', () => {
    const a: RegexRule = { id: 'a', keywords: ['tok'], regex: /tok_\w{4}/, anchoredLead: 0 };
    const b: RegexRule = { id: 'b', keywords: ['_'], regex: /_\w{8}/, anchoredLead: 0 };
    const found = new Engine([a, b], []).detect('x tok_abcdefgh y tok_abcd');
    assert.deepEqual(found.map((s) => [s.start, s.end, s.rule]), [[2, 14, 'a'], [17, 25, 'a']]);
  });

  it('moves span edges off JSON escapes', () => {
    // The group starts inside "\u0041": the span starts at its backslash.
    const rule: RegexRule = { id: 'r', keywords: ['key'], regex: /key=\w\\u00(\w+)/, secretGroup: 1, anchoredLead: 0 };
    const text = 'key=a\\u0041bc';
    assert.deepEqual(new Engine([rule], []).detect(text).map((s) => text.slice(s.start, s.end)), ['\\u0041bc']);
  });
});
