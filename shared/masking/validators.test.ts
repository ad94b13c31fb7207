import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cardValid, emailValid, ibanValid, ipv4Valid, ipv6Valid, luhnValid, phoneValid, ssnValid } from './validators.js';

const cases = (name: string, valid: (v: string) => boolean, good: string[], bad: string[]) =>
  describe(name, () => {
    for (const v of good) it(`accepts ${JSON.stringify(v)}`, () => assert.equal(valid(v), true));
    for (const v of bad) it(`rejects ${JSON.stringify(v)}`, () => assert.equal(valid(v), false));
  });

cases('luhnValid', luhnValid, ['4111111111111111', '79927398713', '0'.repeat(15) + '0'], ['4111111111111112', '79927398710', '1']);
cases('cardValid (documented test numbers)', cardValid,
  ['4111 1111 1111 1111', '4111-1111-1111-1111', '5555555555554444', '378282246310005', '6011111111111117', '2223003122003222', '3530111333300000'],
  ['4111 1111-1111 1111', '4111111111111112', '1234567812345670', '411111111111', '9111111111111111111']);
cases('ibanValid (registry examples)', ibanValid,
  ['GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'CH9300762011623852957'],
  ['GB82 WEST 1234 5698 7654 33', 'DE8937040044053201300', 'XX82WEST12345698765432', 'gb82', 'NL91ABNA041716430']);
cases('ssnValid', ssnValid,
  ['123-45-6789', '001-01-0001', '899-99-9999'],
  ['000-12-3456', '666-12-3456', '900-12-3456', '123-00-4567', '123-45-0000', '078-05-1120', '123456789', '12-345-6789']);
cases('ipv4Valid', ipv4Valid, ['10.0.0.1', '192.168.255.255', '0.0.0.0'], ['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5']);
cases('ipv6Valid', ipv6Valid,
  ['fe80::1ff:fe23:4567:890a', '2001:db8:85a3:0:0:8a2e:370:7334', '::1', '::ffff:192.168.1.1', '2001:db8::'],
  ['12:34:56', '1:2:3:4:5:6:7', '2001:db8:::1', 'fe80::1::2', 'g::1', '1:2:3:4:5:6:7:8:9']);
cases('emailValid', emailValid,
  ['bob@example.com', 'first.last+tag@mail.example.co.uk', 'a_b%c@x-y.io'],
  ['bob@localhost', '@example.com', 'bob@@example.com', '.bob@example.com', 'bob..x@example.com', 'bob@-example.com', 'bob@example.c0m']);
cases('phoneValid', phoneValid,
  ['+1 415 555 2671', '+44 20 7946 0958', '(415) 555-2671', '415-555-2671', '1-415-555-2671'],
  ['+0 12 3456 7890', '+1 23', '4155552671', '(115) 555-2671', '415-155-2671', '+1234567890123456']);
