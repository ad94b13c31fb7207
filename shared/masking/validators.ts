// Checks that turn a pattern-shaped candidate into a PII finding: checksums and the ranges
// that are never issued. Each takes the candidate as it appeared in the text.

const digitsOf = (value: string) => value.replace(/\D/g, '');

/** Digits in `value`, counted without building a string: a scanner asks about many candidates that fail on the count alone. */
function digitCount(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) count++;
  }
  return count;
}

/** Luhn (mod 10) over the digits of `value`. */
export function luhnValid(value: string): boolean {
  // Read in place, separators skipped: a scanner asks this of many candidates.
  let sum = 0;
  let i = 0;
  for (let at = value.length - 1; at >= 0; at--) {
    let d = value.charCodeAt(at) - 48;
    if (d < 0 || d > 9) continue;
    if (i++ % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return i >= 2 && sum % 10 === 0;
}

// Issuer prefixes of the major networks, so that a Luhn-valid order number is not a card.
const CARD_PREFIX = /^(?:4|5[1-5]|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[47]|3(?:0[0-5]|[68])|6(?:011|5|4[4-9]|22)|35(?:2[89]|[3-8]))/;

/** A payment card number: 13–19 digits, one kind of separator at most, a known issuer prefix, Luhn. */
export function cardValid(value: string): boolean {
  let separator = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (separator === -1) separator = c;
    else if (c !== separator) return false;
  }
  const count = digitCount(value);
  if (count < 13 || count > 19) return false;
  return luhnValid(value) && CARD_PREFIX.test(digitsOf(value));
}

/** IBAN lengths by country (the IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24,
  SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** An IBAN (spaces allowed): the country's length and the ISO 7064 mod-97 check. */
export function ibanValid(value: string): boolean {
  const iban = value.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const part = code >= 65 ? String(code - 55) : ch;
    for (const d of part) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** A US SSN written AAA-GG-SSSS, outside the ranges the SSA never issues. */
export function ssnValid(value: string): boolean {
  const m = /^(\d{3})-(\d{2})-(\d{4})$/.exec(value);
  if (!m) return false;
  const [area, group, serial] = [m[1]!, m[2]!, m[3]!];
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  // Numbers the SSA voided after they appeared in advertising.
  return value !== '078-05-1120' && value !== '219-09-9999';
}

/** Dotted-quad IPv4 without leading zeros (which read as version numbers, not addresses). */
export function ipv4Valid(value: string): boolean {
  const parts = value.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 in its text forms, with `::` once at most and an optional IPv4 tail. */
export function ipv6Valid(value: string): boolean {
  if (value.length < 2 || value.length > 45) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string) => (half === '' ? [] : half.split(':'));
  const groups = halves.flatMap(groupsOf);
  let count = groups.length;
  const last = groups.at(-1);
  if (last !== undefined && last.includes('.')) {
    if (!ipv4Valid(last)) return false;
    groups.pop();
    count += 1;
  }
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** An email address in the common form: dotted local part, at least two domain labels, a letter TLD. */
export function emailValid(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at < 1 || at !== value.indexOf('@')) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || domain.length > 253) return false;
  if (!/^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*$/.test(local)) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l))) return false;
  return /^[A-Za-z]{2,24}$/.test(labels.at(-1)!);
}

/**
 * A phone number: international (`+` and 8–15 digits) or North American with separators
 * (area code and exchange not starting with 0 or 1). Bare digit runs are not phones: they are
 * far more often ids and timestamps.
 */
export function phoneValid(value: string): boolean {
  const count = digitCount(value);
  if (value.startsWith('+') ? count < 8 || count > 15 : count !== 10 && count !== 11) return false;
  const digits = digitsOf(value);
  if (value.startsWith('+')) return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0';
  const national = digits.length === 11 && digits[0] === '1' ? digits.slice(1) : digits;
  if (national.length !== 10) return false;
  return national[0]! >= '2' && national[3]! >= '2' && !/^\d+$/.test(value);
}
