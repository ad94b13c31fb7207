import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from './engine.js';
import { Prefilter } from './prefilter.js';
import { captureGroups, keywordLead, keywordLed, leadingLiteral, neededCharacters, notAfter, regexBounds, requiredLiteral } from './regex-bounds.js';
import type { RegexRule } from './rule.js';
import { gitleaksDefaultRules } from './rules/builtin.js';
import { secretRules } from './rules/secrets.js';
import { randomFrom, seeded } from '../../test/support/masking.js';

function naive(keywords: string[], text: string): string[] {
  const lower = text.toLowerCase();
  const hits: string[] = [];
  keywords.forEach((k, index) => {
    for (let at = lower.indexOf(k); at !== -1; at = lower.indexOf(k, at + 1)) hits.push(`${at}:${index}`);
  });
  return hits.sort();
}

describe('Prefilter', () => {
  it('finds every keyword occurrence, overlapping and case-folded, as a naive search does', () => {
    const random = seeded(3);
    const keywords = ['ab', 'abc', 'bca', 'c', 'ghp_', 'sk-', 'token', 'to'];
    const prefilter = new Prefilter(keywords);
    for (let n = 0; n < 300; n++) {
      const text = randomFrom('abcABC_-ghpskTOKENtoken ', 1 + Math.floor(random() * 60), random);
      const hits = prefilter.scan(text);
      const got = Array.from({ length: hits.start.length }, (_, i) => `${hits.start[i]}:${hits.keyword[i]}`).sort();
      assert.deepEqual(got, naive(keywords, text), text);
    }
  });

  it('finds every occurrence in long texts, across lanes and blocks, in text order', () => {
    const random = seeded(11);
    const keywords = ['ab', 'abc', 'bca', 'ghp_', 'sk-', 'token', 'to', 'pypi-ageichlwas5vcmc'];
    const prefilter = new Prefilter(keywords);
    for (const length of [255, 1000, 4096, 65535, 65536, 65537, 200_003]) {
      // Sparse keywords in filler, so that some straddle the lane and block edges by chance.
      const text = Array.from({ length: Math.ceil(length / 8) }, () =>
        random() < 0.2 ? keywords[Math.floor(random() * keywords.length)]!.toUpperCase() : randomFrom('xyz é😀', 7, random),
      ).join('').slice(0, length);
      const hits = prefilter.scan(text);
      const got = Array.from({ length: hits.start.length }, (_, i) => `${hits.start[i]}:${hits.keyword[i]}`);
      assert.deepEqual([...got].sort(), naive(keywords, text), `length ${length}`);
      const ends = Array.from({ length: hits.start.length }, (_, i) => hits.start[i]! + keywords[hits.keyword[i]!]!.length);
      assert.ok(ends.every((end, i) => i === 0 || end >= ends[i - 1]!), 'hits in order of their ends');
    }
  });

  it('finds the same keywords and gates when the automata run as two passes', () => {
    const random = seeded(12);
    const keywords = ['ab', 'to', 'token', 'sk-', '12'];
    const gates = [String.raw`\d{3}-\d{2}`, ':[0-9a-f]{0,4}:', '@'];
    const product = new Prefilter(keywords, gates);
    const passes = new Prefilter(keywords, gates, 0);
    for (const length of [40, 500, 70_000]) {
      const text = randomFrom('abtoken-sk12345:ef@ ', length, random);
      assert.deepEqual(passes.scan(text), product.scan(text));
    }
    assert.equal(product.scan('x tok').pendingPrefix, 3);
    assert.equal(passes.scan('x tok').pendingPrefix, 3);
  });

  it('records a run of gate hits as one entry, across lanes and blocks', () => {
    // A run of '@' ends the gate at every offset: one entry per character would make such a
    // text cost a list entry (and more) per character all the way to the scanner.
    const prefilter = new Prefilter(['ab'], ['@', String.raw`\d{4}[ -]?\d{4}`]);
    const text = `x${'@'.repeat(300_000)}ab@${'0'.repeat(100_000)}x 1234-5678`;
    const hits = prefilter.scan(text);
    const runs = Array.from({ length: hits.gate.length }, (_, h) => [hits.gate[h], hits.gateEnd[h], hits.gateRun[h]]);
    assert.deepEqual(runs, [
      [0, 2, 300_000],
      [0, 300_004, 1],
      [1, 300_012, 100_000 - 7],
      [1, text.length, 1],
    ]);
    assert.deepEqual([...hits.start], [300_001]);
  });

  it('reports a keyword that may still be forming at the end', () => {
    const prefilter = new Prefilter(['ghp_', 'token']);
    assert.equal(prefilter.scan('see gh').pendingPrefix, 2);
    assert.equal(prefilter.scan('see TOKE').pendingPrefix, 4);
    assert.equal(prefilter.scan('see x').pendingPrefix, 0);
  });
});

describe('regexBounds', () => {
  it('measures the shortest and longest match', () => {
    assert.deepEqual(regexBounds('ghp_[A-Za-z0-9]{36}'), { min: 40, max: 40, look: 0 });
    assert.deepEqual(regexBounds('a(?:bc|d)?e{2,5}'), { min: 3, max: 8, look: 0 });
    assert.deepEqual(regexBounds('(?<![a-z])x\\b(?=y)'), { min: 1, max: 1, look: 1 });
    assert.deepEqual(regexBounds('[\\]a]+'), { min: 1, max: Infinity, look: 0 });
    assert.equal(regexBounds('(?<=[;?&]\\s*)x').look, Infinity);
    assert.equal(regexBounds('(a)\\1').max, Infinity);
  });
});

describe('captureGroups', () => {
  const byRunning = (source: string, flags = '') => new RegExp(`${source}|`, flags).exec('')!.length - 1;

  it('counts what running the regex counts, for every built-in and gitleaks rule', () => {
    const sources = [...secretRules, ...gitleaksDefaultRules()].map((r) => [r.regex.source, r.regex.flags.replace(/[gy]/g, '')] as const);
    assert.ok(sources.length > 250);
    for (const [source, flags] of sources) assert.equal(captureGroups(source), byRunning(source, flags), source);
  });

  it('leaves out escapes, classes, lookarounds and non-capturing groups; counts named groups', () => {
    for (const source of ['\\(a\\)', '[(]', '[\\](]', '[]](b)', '[^](c)', '(?:x)(?=y)(?!z)(?<=w)(?<!v)', '(?<name>a)(b(c))', '\\\\(d)', 'a[\\\\](e)']) {
      assert.equal(captureGroups(source), byRunning(source), source);
    }
  });
});

describe('keywordLed', () => {
  it('holds when every match begins with a keyword, through groups, options and case classes', () => {
    assert.equal(keywordLed('(?:[aA][pP][iI]|[kK][eE][yY])[ \\t]{0,5}=', ['api', 'key']), true);
    assert.equal(keywordLed('\\b[pP][aA][sS][sS][wW](?:[oO][rR])?[dD]', ['passwd', 'password']), true);
    assert.equal(keywordLed('(?<![a-z])xox[pe]-\\d+', ['xoxp-', 'xoxe-']), true);
  });
  it('fails when a match may begin elsewhere', () => {
    assert.equal(keywordLed('[a-z0-9]{14}\\.atlasv1\\.', ['atlasv1']), false);
    assert.equal(keywordLed('(?:new-relic|newrelic)=', ['nrak']), false);
    assert.equal(keywordLed('(?:abc)?def', ['abc']), false);
    assert.equal(keywordLed('hooks[^\\n]slack', ['hooks.slack']), false);
    assert.equal(keywordLed('.*key', ['key']), false);
  });
});

describe('neededCharacters', () => {
  const chars = (n: { ascii: Uint8Array }) => String.fromCharCode(...[...n.ascii.keys()].filter((c) => n.ascii[c]));
  it('finds the characters a match must pass through, with their least offset', () => {
    const needs = neededCharacters('glpat-[0-9a-z]{27,300}\\.[0-9a-z]{9}', '');
    assert.deepEqual(needs.filter((n) => n.offset >= 6 && chars(n) === '.').map((n) => n.offset), [33]);
  });
  it('takes a group of alternatives, and `$` as the end of the text', () => {
    const needs = neededCharacters('key(?:=|:=)[a-z]{10}(?:[\\s;]|$)', '');
    const separator = needs.find((n) => n.offset === 3)!;
    assert.equal(chars(separator), ':=');
    const end = needs.find((n) => n.offset === 14)!;
    assert.equal(end.end, true);
    assert.equal(chars(end).includes(';'), true);
  });
  it('gives nothing for a top-level alternation or an optional element', () => {
    assert.deepEqual(neededCharacters('a=|b:', ''), []);
    assert.deepEqual(neededCharacters('key(?:=)?x', '').filter((n) => n.offset === 3 && chars(n) === '='), []);
  });
});

describe('the gap before a needed character', () => {
  // Rules as the engine runs them (sticky at their keyword hits), without allowlists or entropy.
  const rules: RegexRule[] = [
    // gitleaks' generic-api-key, without its lazy lead.
    String.raw`(?:[aA][cC][cC][eE][sS][sS]|[aA][uU][tT][hH]|(?:[Aa]pi|API)|[cC][rR][eE][dD][eE][nN][tT][iI][aA][lL]|[kK][eE][yY]|[pP][aA][sS][sS][wW](?:[oO][rR])?[dD]|[tT][oO][kK][eE][nN])(?:[ \t\w.\-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=\-]{10,150}|[a-zA-Z0-9][a-zA-Z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)`,
    String.raw`(?:password|token|api[_-]?key)[\w.-]{0,24}?["'\x60]?\s*(?:=|:=|:|=>|\?=)\s*["'\x60]?([^\s"'\x60\\,;<>(){}\[\]]{8,200})`,
    String.raw`key[a-c]{0,2}[xy]{1,2}:(\w{3})`,
  ].map((source, i) => ({ id: `r${i}`, keywords: ['access', 'auth', 'api', 'credential', 'key', 'passwd', 'password', 'token'], regex: new RegExp(source, i === 1 ? 'i' : ''), anchoredLead: 0, secretGroup: 1 }));
  // Rules the engine anchors itself: an opening lookbehind or word boundary, a keyword at a fixed offset.
  const derived: RegexRule[] = [
    { id: 'behind', keywords: ['key'], regex: /(?<![A-Za-z0-9])(key[A-Z2-7]{4})(?![A-Za-z0-9])/ },
    { id: 'boundary', keywords: ['key'], regex: /\b(key_?[a-z]{3})\b/i },
    { id: 'fixed', keywords: ['key'], regex: /([a-z0-9]{3}\.key\.[a-z]{2})/ },
    { id: 'negated', keywords: ['key'], regex: /(?<![^a-c])(KEY[a-z]{2})/i },
    { id: 'required', keywords: ['key'], regex: /key[^\n]{0,20}(?:-u|--user)[ =](\w{3})/ },
    // Keywords are found in any case; these ask for one (leadingLiteral), some past the keyword.
    { id: 'cased', keywords: ['key'], regex: /(?<![A-Za-z0-9])(KEY[a-z]{2})/ },
    { id: 'cased-longer', keywords: ['key'], regex: /(key_Q7\w{2})/ },
  ];

  /** What a global search with the rule's regex finds, nothing skipped. */
  function reference(rule: RegexRule, text: string): string[] {
    const found: string[] = [];
    for (const m of text.matchAll(new RegExp(rule.regex.source, rule.regex.flags + 'gd'))) {
      const [start, end] = m.indices![1]!;
      if (end > start) found.push(`${start}-${end}`);
    }
    return found;
  }

  it('reads the characters an opening lookbehind or word boundary excludes, and a fixed offset of the keyword', () => {
    const chars = (table: Uint8Array | undefined) => (table ? String.fromCharCode(...[...table.keys()].filter((c) => table[c])) : undefined);
    assert.equal(chars(notAfter('(?<![A-Za-z0-9])AKIA', '')), '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
    assert.equal(chars(notAfter('\\bAKIA', '')), '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz');
    assert.equal(chars(notAfter('(?<![^a-c])KEY', 'i'))?.includes('A'), false);
    assert.equal(notAfter('\\b(?:-|x)', ''), undefined);
    assert.equal(notAfter('(?<!ab)x', ''), undefined);
    assert.equal(keywordLead('[a-z0-9]{14}\\.atlasv1\\.[a-z]{60}', ['atlasv1']), 15);
    assert.equal(keywordLead('key=', ['key']), 0);
    assert.equal(keywordLead('[a-z]{1,3}atlasv1', ['atlasv1']), undefined);
    assert.equal(requiredLiteral('curl.*(?:-u|--user)=', ''), '-u');
    assert.equal(requiredLiteral('curl.*(?:-u|--user)=', 'i'), undefined);
    assert.equal(requiredLiteral('curl.*(?:-u|--user)?=', ''), undefined);
    assert.equal(requiredLiteral('curl.*(?:-u|-x)=', ''), undefined);
    assert.equal(leadingLiteral('(?<![A-Za-z0-9])SG\\.[A-Za-z0-9_-]{10,128}', ''), 'SG.');
    assert.equal(leadingLiteral('\\bglft-[0-9a-z]{20}', ''), 'glft-');
    assert.equal(leadingLiteral('discord(?:app)?\\.com', ''), 'discord');
    assert.equal(leadingLiteral('keys?=', ''), 'key');
    assert.equal(leadingLiteral('SG\\.x', 'i'), undefined);
    assert.equal(leadingLiteral('(?:SG|sg)\\.x', ''), undefined);
    assert.equal(leadingLiteral('SG|x', ''), undefined);
  });

  it('records, for each element before it, the characters it holds and its longest length', () => {
    const separator = neededCharacters('key[ \\t\\w.-]{0,20}[\\s\'"]{0,3}(?:=|:)', '').find((n) => n.offset === 3)!;
    assert.deepEqual(separator.gap!.max, [1, 1, 1, 20, 3]);
    const [k, space, newline, quote] = ['k', ' ', '\n', '"'].map((c) => separator.gap!.ascii[c.charCodeAt(0)]);
    assert.deepEqual([k, space, newline, quote], [0b1001, 0b11000, 0b10000, 0b10000]);
  });

  it('skips no hit whose match passes newlines, tabs and quotes before its separator', () => {
    const texts = [
      'access_token\n= Zx81kQ0pL2mN7vB4q',
      '"api_key"\t: "Zx81kQ0pL2mN7vB4q"',
      'credential.name-x_y 123456789 \t\'=> Zx81kQ0pL2mN7vB4q',
      'the key of it all\n\n\n: Zx81kQ0pL2mN7vB4q;',
      'password    \n   = Zx81kQ0pL2mN7vB4q',
      'keyacxy:abc keyabcy:abc',
    ];
    for (const text of texts) {
      for (const rule of [...rules, ...derived]) {
        const engine = new Engine([rule], []);
        assert.deepEqual(engine.detect(text).map((s) => `${s.start}-${s.end}`), reference(rule, text), `${rule.id} on ${JSON.stringify(text)}`);
      }
    }
    assert.equal(new Engine([rules[0]!], []).detect(texts[0]!).length, 1);
  });

  it('finds what the regex finds at every keyword, on random text', () => {
    const random = seeded(22);
    const pieces = ['key', 'KEY', 'api', 'token', 'password', 'credential', 'access', ' ', ' ', '\n', '\t', '"', "'", '=', ':', '=>', ',', ';', 'a', 'b', 'c', 'x', 'y', 'Q', '7', '_', '-', '.', 'Zx81kQ0pL2mN7vB4', 'ab12', '\u00e9', '-u', '--user'];
    for (let round = 0; round < 3000; round++) {
      const text = Array.from({ length: 30 }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      for (const rule of [...rules, ...derived]) {
        const engine = new Engine([rule], []);
        assert.deepEqual(engine.detect(text).map((s) => `${s.start}-${s.end}`), reference(rule, text), `${rule.id} on ${JSON.stringify(text)}`);
      }
    }
  });
});
