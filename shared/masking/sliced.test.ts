// maskSliced: a body over SLICE is masked a slice at a time, and a JSON body keeps JSON mode
// (values under sensitive keys, findings by path) as a small one has it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './masker.js';
import { InspectionBudget, maskSliced, SLICE } from './sliced.js';
import { ALNUM, randomFrom, secretSamples } from '../../test/support/masking.js';

const masker = createMasker();
const budget = () => new InspectionBudget(60_000);

/** A JSON array of filler records, about `size` characters, with `extra` members in the record at `index`. */
function bigJson(size: number, index: number, extra: Record<string, unknown>): string {
  const records: unknown[] = [];
  for (let i = 0, length = 2; length < size; i++) {
    const record = { id: i, name: `item-${i}`, note: 'nothing to see here', ...(i === index ? extra : {}) };
    records.push(record);
    length += JSON.stringify(record).length + 1;
  }
  return JSON.stringify(records);
}

describe('maskSliced', () => {
  it('masks an event stream over SLICE event by event, as auto() masks a small one: a secret split over deltas is joined', async () => {
    const token = secretSamples()['github-token']!();
    const event = (text: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`;
    const split = [`token ${token.slice(0, 12)}`, token.slice(12, 26), `${token.slice(26)} ok`].map(event).join('');
    for (const pad of [1000, SLICE + 5000]) {
      const body = event('x'.repeat(pad)) + split + 'data: [DONE]\n\n';
      const masked = await maskSliced(masker, body, 'text/event-stream', budget());
      const joined = [...masked.text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join('');
      assert.ok(!joined.includes(token) && joined.endsWith('token [MASKED:github-token] ok'), `${body.length} characters`);
    }
  });

  it('masks a value under a sensitive key in a JSON body over SLICE, whatever the value', async () => {
    const password = 'hunter2-but-long';
    const body = bigJson(100 * 1024, 700, { password });
    assert.ok(body.length > SLICE);
    const masked = await maskSliced(masker, body, 'application/json', budget());
    assert.ok(!masked.text.includes(password));
    assert.ok(masked.findings.some((f) => f.rule === 'sensitive-key' && f.location === '$[700].password'));
    // Still the same JSON, the value replaced.
    const parsed = JSON.parse(masked.text) as { password?: string }[];
    assert.equal(parsed[700]!.password, '[MASKED:sensitive-key]');
    assert.equal(parsed.length, (JSON.parse(body) as unknown[]).length);
  });

  it('finds the same as JSON mode in one call, secrets on slice edges included', async () => {
    const samples = secretSamples();
    const tokens = ['github-token', 'aws-access-key-id', 'slack-token', 'jwt'].map((id) => samples[id]!());
    const body = JSON.stringify(
      Array.from({ length: 3000 }, (_, i) => ({ i, text: i % 500 === 0 ? `key ${tokens[(i / 500) % tokens.length]} end` : randomFrom(ALNUM, 40), apiKey: i === 2999 ? 'x-long-value' : undefined })),
    );
    assert.ok(body.length > 2 * SLICE);
    const whole = masker.auto(body, 'application/json');
    const sliced = await maskSliced(masker, body, undefined, budget());
    assert.equal(sliced.text, whole.text);
    assert.deepEqual(sliced.findings.map((f) => f.location).sort(), whole.findings.map((f) => f.location).sort());
    for (const token of tokens) assert.ok(!sliced.text.includes(token));
  });

  it('masks a large body that only looks like JSON as text', async () => {
    const token = secretSamples()['github-token']!();
    const body = '{' + 'x'.repeat(SLICE) + ` ${token} ` + '"password": "hunter2-but-long"';
    const masked = await maskSliced(masker, body, 'application/json', budget());
    assert.ok(!masked.text.includes(token));
  });
});
