// EventJson: a stream's repeated, clean envelopes are masked once; anything with a finding is
// masked (and its findings recorded) every time; each caller gets a value of its own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker, type Finding, type Masker } from '../masking/index.js';
import { pushAll } from '../platform/arrays.js';
import { EventJson } from './llm-stream.js';

function counting(masker: Masker): { masker: Masker; calls: () => number } {
  let calls = 0;
  return {
    masker: { ...masker, json: (value, path) => (calls++, masker.json(value, path)) },
    calls: () => calls,
  };
}

const chunk = (content: string) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });

const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';

describe('EventJson', () => {
  it('masks a clean envelope once, and gives each event a value of its own', () => {
    const { masker, calls } = counting(createMasker({}));
    const events = new EventJson(masker, []);
    const first = events.mask(chunk('')) as ReturnType<typeof chunk>;
    first.choices[0]!.delta.content = 'changed by the caller';
    const second = events.mask(chunk('')) as ReturnType<typeof chunk>;
    assert.deepEqual(second, chunk(''));
    assert.equal(calls(), 1);
  });

  it('masks an event with a secret every time, recording its findings each time', () => {
    const { masker, calls } = counting(createMasker({}));
    const findings: Finding[] = [];
    const events = new EventJson(masker, findings);
    const secret = `ghp_${'Ab1Cd2Ef3G'.repeat(3)}123456`;
    for (let i = 0; i < 3; i++) {
      const masked = events.mask(chunk(secret)) as ReturnType<typeof chunk>;
      assert.equal(masked.choices[0]!.delta.content, '[MASKED:github-token]');
    }
    assert.equal(calls(), 3);
    assert.equal(findings.length, 3);
  });

  it('masks members set anew in every event on their own, exactly as in place, and remembers the rest as clean', () => {
    const base = createMasker({});
    const whole: unknown[] = [];
    const masker: Masker = { ...base, json: (value, path) => (isObject(value) && Object.keys(value).length > 1 && whole.push(value), base.json(value, path)) };
    const findings: Finding[] = [];
    const events = new EventJson(masker, findings, ['obfuscation', 'sequence_number']);
    ['x1', 'Qz93', 'abc', 'k'].forEach((padding, i) => {
      const masked = events.mask({ ...chunk(''), sequence_number: i, obfuscation: padding });
      assert.deepEqual(masked, { ...chunk(''), sequence_number: i, obfuscation: padding });
    });
    assert.equal(whole.length, 1);
    const secret = `ghp_${'Ab1Cd2Ef3G'.repeat(3)}123456`;
    const event = { ...chunk(''), sequence_number: 4, obfuscation: secret };
    const inPlace: Finding[] = [];
    const expected = base.json(structuredClone(event));
    pushAll(inPlace, expected.findings);
    assert.deepEqual(events.mask(event), expected.value);
    assert.deepEqual(findings, inPlace);
  });

  it('masks a member set anew in every event whose name is sensitive as in place', () => {
    const masker = createMasker({});
    for (const [name, value] of [['token', 'abc'], ['session_token', 42]] as const) {
      const findings: Finding[] = [];
      const events = new EventJson(masker, findings, [name]);
      const event = { ...chunk('hi'), [name]: value };
      const expected = masker.json(structuredClone(event));
      assert.deepEqual(events.mask(structuredClone(event)), expected.value, name);
      assert.deepEqual(findings, expected.findings, name);
    }
  });

  it('without their names, an event whose counter or padding differs is masked whole each time', () => {
    const { masker, calls } = counting(createMasker({}));
    const events = new EventJson(masker, []);
    for (const padding of ['x1', 'Qz93', 'abc']) events.mask({ ...chunk(''), obfuscation: padding });
    assert.equal(calls(), 3);
  });
});
