// A run of decimal digits inside a hex digest passes Luhn one time in ten: a checksum, a commit
// or a key id must come out as it went in, not with a "card" cut out of its middle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { cardNumber, HEX, randomFrom, seeded } from '../../test/support/masking.js';

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
