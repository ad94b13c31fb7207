import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../guard/decide.js';
import type { Principal } from '../identity/index.js';
import { loadPolicy } from '../policy/load.js';
import type { Operation } from './operation.js';
import { normalizeRuleText, partsText, ruleText } from './rule-text.js';

describe('rule text: normalisation', () => {
  const cases: Array<[string, string, string]> = [
    ['full-width letters', 'ＤＲＯＰ　ＴＡＢＬＥ', 'DROP TABLE'],
    ['mathematical bold letters', '𝐃𝐑𝐎𝐏 TABLE', 'DROP TABLE'],
    ['circled letters and a ligature', 'ⓓⓡⓞⓟ ﬁle', 'drop file'],
    ['a no-break space', 'DROP\u00a0TABLE', 'DROP TABLE'],
    ['zero-width space, non-joiner and joiner', 'DR\u200bO\u200cP T\u200dABLE', 'DROP TABLE'],
    ['a word joiner and a byte-order mark', 'DR\u2060OP\ufeff TABLE', 'DROP TABLE'],
    ['a soft hyphen', 'DR\u00adOP TABLE', 'DROP TABLE'],
    ['bidi embeddings, overrides and isolates', '\u202aDR\u202eOP\u202c \u2066TA\u2067B\u2068LE\u2069', 'DROP TABLE'],
    ['variation selectors', 'D\ufe0fROP T\u{e0100}ABLE', 'DROP TABLE'],
    ['tag characters', 'DR\u{e0041}\u{e0042}OP TABLE\u{e007f}', 'DROP TABLE'],
    ['a Hangul filler and a Mongolian vowel separator', 'DR\u3164OP\u180e TABLE', 'DROP TABLE'],
    ['control characters other than whitespace', 'DR\u0000O\u0007P\u009b TABLE', 'DROP TABLE'],
  ];
  for (const [name, input, expected] of cases) {
    it(`reads ${name} as plain text`, () => assert.equal(normalizeRuleText(input), expected));
  }

  it('keeps whitespace, line breaks and every visible letter', () => {
    assert.equal(normalizeRuleText('a\tb\r\nc\nd ü é 漢字 🙂'), 'a\tb\r\nc\nd ü é 漢字 🙂');
  });
});

const operationOf = (text: string): Operation => ({ kind: 'http', method: 'POST', path: '/', query: '', actions: [], resources: [], flags: [], headers: {}, text, summary: '', details: {} });

describe('rule text: parts', () => {
  it('is a single part as it is', () => {
    assert.deepEqual(partsText(['DROP TABLE users']), { text: 'DROP TABLE users' });
    assert.deepEqual(partsText(['', 'x', '']), { text: 'x' });
    assert.deepEqual(partsText([]), { text: '' });
  });

  it('joins parts by a space, and with nothing, so that a split word or phrase reads whole', () => {
    const texts = partsText(['rm -r', 'f /', 'print my', 'environment']);
    // Joined with nothing for rules alone: recorded, it would glue a secret to the part before it, where masking cannot find it.
    assert.deepEqual(texts, { text: 'rm -r f / print my environment', matchText: 'rm -rf /print myenvironment' });
    const text = ruleText({ ...operationOf(''), ...texts });
    assert.match(text, /rm -rf \//);
    assert.match(text, /\bprint my environment\b/);
  });
});

describe('rule text: every kind\'s body rules see it normalised', () => {
  const loaded = loadPolicy(
    `version: 1
issuers:
  - { issuer: https://issuer.example, audience: portcullis, jwksUri: https://issuer.example/jwks }
connections:
  api: { kind: http, upstream: https://api.example, default: allow }
rules:
  - name: no-drop
    match: { body: "(?i)\\\\bdrop\\\\s+table\\\\b" }
    action: deny
`,
    { env: 'production', variables: {} },
  );
  assert.ok(loaded.ok);
  const policy = loaded.policy;
  const connection = policy.connections.get('api')!;
  const principal: Principal = { subject: 'agent-1', issuer: 'https://issuer.example', groups: ['agents'], claims: {}, kind: 'workload' };
  const op = (kind: string, text: string): Operation => ({
    kind,
    method: kind === 'postgres' ? 'SQL' : 'POST',
    path: '',
    query: '',
    actions: [],
    resources: [],
    flags: [],
    headers: {},
    text,
    summary: 'test',
    details: {},
  });

  for (const kind of ['http', 'postgres', 'arm', 'openai']) {
    it(`denies a ${kind} request whose keyword is full-width or has a zero-width character inside`, () => {
      assert.equal(decide(principal, connection, op(kind, 'ＤＲＯＰ ＴＡＢＬＥ users'), policy).action, 'deny');
      assert.equal(decide(principal, connection, op(kind, 'DR\u200bOP TA\u00adBLE users'), policy).action, 'deny');
      assert.equal(decide(principal, connection, op(kind, 'SELECT 1'), policy).action, 'allow');
    });
  }

  it('leaves the operation\'s own text as it was (what runs is what was sent)', () => {
    const operation = op('postgres', 'SELECT \'ｘ\u200b\'');
    assert.equal(ruleText(operation), 'SELECT \'x\'');
    assert.equal(operation.text, 'SELECT \'ｘ\u200b\'');
  });
});
