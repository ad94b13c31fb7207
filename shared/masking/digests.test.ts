// A run of decimal digits inside a hex digest passes Luhn one time in ten: a checksum, a commit,
// a key id or a GUID must come out as it went in, not with a "card" cut out of its middle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { cardNumber, guid, HEX, randomFrom, seeded } from '../../test/support/masking.js';

const masker = createMasker({ pii: { card: true } });
const random = seeded(3232);

/** A hex digest of `length` with a Luhn-valid card number's digits at a random place in it. */
function digestHoldingCard(length: number): string {
  const digits = cardNumber(random);
  const at = Math.floor(random() * (length - digits.length + 1));
  const hex = randomFrom(HEX, length, random);
  return hex.slice(0, at) + digits + hex.slice(at + digits.length);
}

describe('hex digests', () => {
  it('are left whole when decimal digits inside them pass Luhn, in text, JSON and streams', () => {
    for (let i = 0; i < 300; i++) {
      // Tokens of 24 and 31 hex digits too (a Shopify token's body is 32).
      const digest = digestHoldingCard([24, 31, 40, 64][i % 4]!);
      for (const text of [`checksum = "${digest}"`, `sha256:${digest}\n`, digest, `{"integrity": "${digest.toUpperCase()}"}`]) {
        assert.equal(masker.auto(text).text, text, text);
        const stream = masker.stream();
        const cut = Math.floor(random() * text.length);
        assert.equal(stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end(), text, `${text} cut at ${cut}`);
      }
    }
  });

  it('GUIDs are left whole, their groups of decimal digits read as a card or not, in text, JSON and streams', () => {
    let cardLike = 0;
    for (let i = 0; i < 4000; i++) {
      // Groups of decimal digits, as one GUID in a few hundred has them, for a card to be read in.
      const id = i % 2 === 0 ? guid(random) : `${randomFrom('0123456789', 8, random)}-${randomFrom('0123456789', 4, random)}-4${randomFrom('0123456789', 3, random)}-${randomFrom('0123456789', 4, random)}-${randomFrom(HEX, 12, random)}`;
      if (/\d{4}-\d{4}-\d{4}/.test(id)) cardLike++;
      for (const text of [`x-ms-request-id: ${id}`, `/subscriptions/${id}/resourceGroups/rg`, JSON.stringify({ id, name: 'vm' }), `{${id.toUpperCase()}}`]) {
        assert.equal(masker.auto(text).text, text, text);
      }
    }
    assert.ok(cardLike > 1000, 'enough GUIDs whose digits could make a card');
    const stream = masker.stream();
    const id = `43856157-8769-4373-9d28-c5eb4174d464`;
    assert.equal(stream.push(`request ${id.slice(0, 20)}`) + stream.push(`${id.slice(20)} done`) + stream.end(), `request ${id} done`);
    const card = cardNumber(random);
    assert.ok(!masker.text(`${guid(random)} paid with ${card}`).text.includes(card), 'a card beside a GUID is still masked');
  });

  it('still give up a card number that only touches a few hex letters or stands next to one', () => {
    for (let i = 0; i < 50; i++) {
      const card = cardNumber(random);
      for (const [text, masked] of [
        [`id:a${card}`, 'id:a[MASKED:pii-card]'],
        [`card ${card} abc`, 'card [MASKED:pii-card] abc'],
        [`${randomFrom(HEX, 40, random)} ${card}`, null],
      ] as const) {
        const out = masker.text(text).text;
        if (masked) assert.equal(out, masked, text);
        else assert.ok(out.endsWith(' [MASKED:pii-card]') && !out.includes(card), text);
      }
    }
  });
});
