// PII scanners: a cheap candidate pattern (or '@' for email), then a validator. Bare digit
// runs are not taken as phones or SSNs: ids and timestamps are far more common. Each scanner
// has gates, prefixes of its candidate pattern that the prefilter finds in its single pass
// over the text (see gates.ts), and tries its pattern only where a gate match starts: a
// pattern run over a whole text per kind cost more than the rest of detection together.
import type { ScanRule } from '../rule.js';
import { GUID } from './define.js';
import { cardValid, emailValid, ibanValid, IBAN_LENGTHS, ipv4Valid, ipv6Valid, phoneValid, ssnValid } from '../validators.js';

export type PiiKind = 'email' | 'phone' | 'card' | 'iban' | 'ssn' | 'ip';

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isDigit(c) || isLetter(c);
const isSign = (c: number) => c === 43 || c === 45;
const isExponent = (c: number) => c === 101 || c === 69;
const code = (text: string, i: number) => (i >= 0 && i < text.length ? text.charCodeAt(i) : -1);

// A card, phone or SSN is never part of a decimal number, while the digits of floats (metrics,
// embeddings, JSON numbers) pass Luhn and the other checks often enough to corrupt them.

/** Whether the digits at `s` go on a number before them: its fraction (`0.`, `-.`) or exponent (`1e`, `2.5E-`). */
function decimalBefore(text: string, s: number): boolean {
  let b = s - 1;
  let c = code(text, b);
  // Not after a word: `no.4111…` is an abbreviation, not a fraction.
  if (c === 46) return !isLetter(code(text, b - 1));
  if (isSign(c)) c = code(text, --b);
  return isExponent(c) && (isDigit(code(text, b - 1)) || code(text, b - 1) === 46);
}

/** Whether the digits ending at `e` go on as a decimal number: a fraction (`.5`) or an exponent (`e5`, `E+5`). */
function decimalAfter(text: string, e: number): boolean {
  const c = code(text, e);
  if (c === 46) return isDigit(code(text, e + 1));
  if (!isExponent(c)) return false;
  const d = code(text, e + 1);
  return isDigit(d) || (isSign(d) && isDigit(code(text, e + 2)));
}

/** Start of the run of `member` characters that ends the text (at most `cap` long). */
function trailingRun(text: string, member: (c: number) => boolean, cap: number): number {
  let i = text.length;
  const floor = Math.max(0, text.length - cap);
  while (i > floor && member(text.charCodeAt(i - 1))) i--;
  return i;
}

/** The end of the sticky `pattern`'s match at `at`, or -1. */
const sticky = (pattern: RegExp) => (text: string, at: number) => {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : -1;
};

/**
 * Finds the candidates (`candidateEnd`: a sticky pattern's match) that a global search from
 * the start of the text would (each search resumes at the end of the last candidate), trying
 * only the gate starts: a candidate begins with a gate match. Emits each candidate that
 * `accept` turns into a span, which lies within the candidate.
 */
function scanWith(
  candidateEnd: (text: string, at: number) => number,
  accept: (text: string, start: number, end: number) => [number, number] | undefined,
  /** The character before a value can never be one of these (a digit before a card number). */
  member?: (c: number) => boolean,
): ScanRule['scan'] {
  return (text, starts, emit) => {
    let from = 0;
    for (const at of starts) {
      if (at < from || (member && member(code(text, at - 1)))) continue;
      const end = candidateEnd(text, at);
      if (end < 0) continue;
      const span = accept(text, at, end);
      // A rejected candidate may hold a value further in (`ref 2024 4111…`): the starts inside it
      // are tried too. Candidates are bounded in length, so this stays linear.
      if (!span) continue;
      from = end;
      emit(span[0], span[1]);
    }
  };
}

/**
 * The longest prefix of text[start, end) that ends before a separator (or at `end`), is
 * bounded by a non-member character, is not part of a decimal number and passes `valid`.
 * Greedy candidates overrun into a following number ("4111 1111 1111 1111 2024"); this backs
 * off at separators.
 */
function longestValid(
  text: string,
  start: number,
  end: number,
  member: (c: number) => boolean,
  valid: (value: string) => boolean,
  digits: readonly [number, number],
): [number, number] | undefined {
  if (member(code(text, start - 1)) || decimalBefore(text, start)) return undefined;
  // Digits in text[start, e), kept as e moves back: a prefix with too many or too few digits
  // for `valid` is not cut out of the text and asked.
  let count = 0;
  for (let i = start; i < end; i++) if (isDigit(text.charCodeAt(i))) count++;
  for (let e = end; e > start; count -= isDigit(text.charCodeAt(--e)) ? 1 : 0) {
    if (count < digits[0]) break;
    if (count > digits[1]) continue;
    if (!isAlnum(code(text, e - 1))) continue;
    if (e < end && isAlnum(code(text, e))) continue;
    if (member(code(text, e)) || decimalAfter(text, e)) continue;
    if (valid(text.slice(start, e))) return [start, e];
  }
  return undefined;
}

/** A card candidate: digit groups, as cards are written. */
export const CARD_CANDIDATE = /\d{4}[ -]?\d{4}[ -]?\d{2}[\d -]{3,11}/y;
/** CARD_CANDIDATE's digits before its run of digits and separators: the groups, each after an optional separator. */
const CARD_GROUPS = [4, 4, 2] as const;
/** CARD_CANDIDATE's run of digits and separators, at least and at most. */
const CARD_RUN = [3, 11] as const;

/**
 * Where the candidate read last (readCard) may end: its offset, the digits before it and two
 * Luhn sums there (a digit at an even or an odd place from the start doubled).
 */
const cardEnds = new Int32Array(4 * 32);
let cardEndCount = 0;

function noteCardEnd(at: number, digits: number, evenDoubled: number, oddDoubled: number) {
  const k = 4 * cardEndCount++;
  cardEnds[k] = at;
  cardEnds[k + 1] = digits;
  cardEnds[k + 2] = evenDoubled;
  cardEnds[k + 3] = oddDoubled;
}

/**
 * The end of CARD_CANDIDATE's match at `at` (or -1), read in one pass that also notes where
 * the candidate may end (after a digit, before a separator or at its end) and the Luhn sums
 * there, for cardAt: only a prefix that passes Luhn is then cut out of the text and validated.
 * Candidates overlap (`4111 ` repeated starts one every five characters): each costs a pass,
 * not a regex, a pass and a Luhn check per place it may end. Each optional separator is taken
 * when present (without it, the digits that must follow would start on it), the run as far as
 * it goes: the regex's only match.
 */
export function readCard(text: string, at: number): number {
  cardEndCount = 0;
  let digits = 0;
  let evenDoubled = 0;
  let oddDoubled = 0;
  // The groups first (`left` digits to go in group `group`; a separator may follow a whole
  // one), then the run, from `runStart` to `stop` at most.
  let group = 0;
  let left: number = CARD_GROUPS[0];
  let separatorMay = false;
  let runStart = -1;
  let stop = text.length;
  let afterDigit = false;
  let i = at;
  for (; i < stop; i++) {
    const c = text.charCodeAt(i);
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      // Luhn from the start: one sum doubles the digits at even places, the other those at odd places.
      const doubled = d > 4 ? 2 * d - 9 : 2 * d;
      if (digits % 2 === 0) {
        evenDoubled += doubled;
        oddDoubled += d;
      } else {
        evenDoubled += d;
        oddDoubled += doubled;
      }
      digits++;
      afterDigit = true;
      separatorMay = false;
      if (runStart < 0 && --left === 0) {
        if (++group < CARD_GROUPS.length) {
          left = CARD_GROUPS[group]!;
          separatorMay = true;
        } else {
          runStart = i + 1;
          stop = Math.min(text.length, runStart + CARD_RUN[1]);
        }
      }
    } else if (isCardSeparator(c) && (runStart >= 0 || separatorMay)) {
      if (afterDigit) noteCardEnd(i, digits, evenDoubled, oddDoubled);
      afterDigit = false;
      separatorMay = false;
    } else break;
  }
  if (runStart < 0 || i - runStart < CARD_RUN[0]) return -1;
  if (afterDigit) noteCardEnd(i, digits, evenDoubled, oddDoubled);
  return i;
}

const isCardSeparator = (c: number) => c === 32 || c === 45;

const isHexLetter = (c: number) => (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isHex = (c: number) => isDigit(c) || isHexLetter(c);

/**
 * Hex digits this many in a row are a digest, an id or a token, never a card, though a run of
 * decimal digits inside one passes Luhn as often as any (one in ten). A card (13 to 19 digits)
 * that touches a letter or two (`id:a4111…`) stays short of it; a 31-hex token did not.
 */
const HEX_RUN = 24;

/** Whether the digits text[start, end) lie in a run of at least HEX_RUN hex digits, a letter next to them. */
function inHexRun(text: string, start: number, end: number): boolean {
  if (!isHexLetter(code(text, start - 1)) && !isHexLetter(code(text, end))) return false;
  let s = start;
  while (s > 0 && start - s < HEX_RUN && isHex(text.charCodeAt(s - 1))) s--;
  let e = end;
  while (e < text.length && e - end < HEX_RUN && isHex(text.charCodeAt(e))) e++;
  return e - s >= HEX_RUN;
}

const GUIDS = new RegExp(GUID, 'g');

/**
 * Whether text[start, end), digits and dashes, lies in a GUID: its groups of decimal digits pass
 * Luhn one time in ten (b805e5ea-3874-4355-8876-53f48035abf5), and Azure answers are full of them.
 */
function inGuid(text: string, start: number, end: number): boolean {
  const from = Math.max(0, start - 36);
  const around = text.slice(from, Math.min(text.length, end + 36));
  GUIDS.lastIndex = 0;
  for (let m = GUIDS.exec(around); m !== null; m = GUIDS.exec(around)) {
    if (from + m.index <= start && from + m.index + m[0].length >= end) return true;
  }
  return false;
}

/** longestValid for the card candidate readCard read last, from the ends it noted. */
function cardAt(text: string, start: number): [number, number] | undefined {
  if (isDigit(code(text, start - 1)) || decimalBefore(text, start)) return undefined;
  for (let k = cardEndCount - 1; k >= 0; k--) {
    const e = cardEnds[4 * k]!;
    const digits = cardEnds[4 * k + 1]!;
    if (digits < CARD_DIGITS[0]) break;
    if (digits > CARD_DIGITS[1]) continue;
    if (isDigit(code(text, e)) || decimalAfter(text, e)) continue;
    // Luhn doubles every second digit from the last: those at an even place when the count is even.
    if ((digits % 2 === 0 ? cardEnds[4 * k + 2]! : cardEnds[4 * k + 3]!) % 10 !== 0) continue;
    if (digits === e - start && inHexRun(text, start, e)) continue;
    if ((code(text, start - 1) === 45 || code(text, e) === 45 || isHex(code(text, e))) && inGuid(text, start, e)) continue;
    if (cardValid(text.slice(start, e))) return [start, e];
  }
  return undefined;
}

/** Digits in a card number (cardValid), and in a phone number (phoneValid). */
const CARD_DIGITS = [13, 19] as const;
const PHONE_DIGITS = [8, 15] as const;

const numberish = (c: number) => isDigit(c) || c === 32 || c === 40 || c === 41 || c === 43 || c === 45 || c === 46;
const holdNumber = (text: string) => {
  const start = trailingRun(text, numberish, 48);
  return start < text.length && /[\d+(]/.test(text.slice(start)) ? start : text.length;
};

/** Where a trailing run of hex digits that holds a digit starts (at most HEX_RUN back), or the text's end. */
const trailingHex = (text: string) => {
  const start = trailingRun(text, isHex, HEX_RUN);
  for (let i = start; i < text.length; i++) if (isDigit(text.charCodeAt(i))) return start;
  return text.length;
};

const isEmailLocal = (c: number) => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isEmailDomain = (c: number) => isAlnum(c) || c === 46 || c === 45;

/**
 * Whether a `://` comes before an offset with no space between, looking back no further than a
 * URL's scheme and userinfo (512 characters). Asked at ascending offsets, it reads each
 * character once: `a:b@` repeated would otherwise read 512 characters back at every `@`.
 */
function schemeLookup(text: string) {
  let read = 0;
  let space = -1;
  let scheme = -1;
  return (at: number): boolean => {
    for (; read < at; read++) {
      const c = text.charCodeAt(read);
      if (c === 32) space = read;
      else if (c === 47 && read >= 2 && text.charCodeAt(read - 1) === 47 && text.charCodeAt(read - 2) === 58) scheme = read;
    }
    return scheme > space && at - scheme <= 512;
  };
}

/**
 * Whether the domain ending at `e` ends in a label of 2 to 24 letters after a dot, as
 * emailValid asks: checked before a candidate is cut out of the text, for text such as `a@b.`
 * repeated makes a candidate every few characters that fails here.
 */
function letterTld(text: string, e: number): boolean {
  let i = e;
  while (i > 0 && e - i <= 24 && isLetter(text.charCodeAt(i - 1))) i--;
  return e - i >= 2 && e - i <= 24 && code(text, i - 1) === 46;
}

/** Whether a path follows `:` at `e`, as in scp's and git's `user@host:path` (`git@github.com:org/repo.git`). */
function remotePath(text: string, e: number): boolean {
  if (code(text, e) !== 58) return false;
  const c = code(text, e + 1);
  return isAlnum(c) || c === 47 || c === 126 || c === 46 || c === 95 || c === 45;
}

const email: ScanRule = {
  id: 'pii-email',
  gates: ['@'],
  scan(text, starts, emit) {
    let from = 0;
    const schemeBefore = schemeLookup(text);
    for (const at of starts) {
      if (at < from) continue;
      let s = at;
      while (s > 0 && at - s < 64 && isEmailLocal(text.charCodeAt(s - 1))) s--;
      while (s < at && text.charCodeAt(s) === 46) s++;
      let e = at + 1;
      // A domain has a dot between two labels: without one, the address is not read further.
      let dot = -1;
      for (let c = code(text, e); e < text.length && e - at <= 253 && isEmailDomain(c); c = code(text, ++e)) if (c === 46 && dot < 0) dot = e;
      while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
      if (s === at || dot <= at + 1 || dot >= e - 1 || !letterTld(text, e)) continue;
      // user:password@host in a URL is a credential (another rule), not an address; nor is a
      // URL's user alone (ssh://git@host), nor scp's and git's remote user@host:path.
      const inUrl = s > 0 && text.charCodeAt(s - 1) === 58 && schemeBefore(s);
      if (!inUrl && !text.startsWith('://', s - 3) && !remotePath(text, e) && emailValid(text.slice(s, e))) {
        emit(s, e);
        from = e;
      }
    }
  },
  holdFrom: (text) => trailingRun(text, (c) => isEmailDomain(c) || isEmailLocal(c) || c === 64, 320),
};

const card: ScanRule = {
  id: 'pii-card',
  gates: [String.raw`\d{4}[ -]?\d{4}`],
  // cardAt reads what readCard noted of the same candidate.
  scan: scanWith(readCard, cardAt, isDigit),
  // A stream holds a trailing run of hex digits too, until it is known whether it makes a digest.
  holdFrom: (text) => Math.min(holdNumber(text), trailingHex(text)),
};

const ssn: ScanRule = {
  id: 'pii-ssn',
  gates: [String.raw`\d{3}-\d{2}-\d{4}`],
  scan: scanWith(sticky(/\d{3}-\d{2}-\d{4}/y), (text, s, e) =>
    !isDigit(code(text, s - 1)) && code(text, s - 1) !== 45 && !isDigit(code(text, e)) && code(text, e) !== 45 &&
    !decimalBefore(text, s) && !decimalAfter(text, e) && ssnValid(text.slice(s, e))
      ? [s, e]
      : undefined),
  holdFrom: holdNumber,
};

const phoneMember = (c: number) => isDigit(c) || c === 43;
const phone: ScanRule = {
  id: 'pii-phone',
  gates: [String.raw`\+\d`, String.raw`\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}`, String.raw`\d{3}[ .-]\d{3}[ .-]\d{4}`],
  scan: scanWith(sticky(/\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,6}|(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}/y), (text, s, e) =>
    text.charCodeAt(s) === 43 && isAlnum(code(text, s - 1))
      ? undefined
      : longestValid(text, s, e, phoneMember, phoneValid, PHONE_DIGITS), phoneMember),
  holdFrom: holdNumber,
};

const ipv4: ScanRule = {
  id: 'pii-ip',
  gates: [String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`],
  scan: scanWith(sticky(/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/y), (text, s, e) => {
    const before = code(text, s - 1);
    const after = code(text, e);
    if (isDigit(before) || before === 46 || isDigit(after) || (after === 46 && isDigit(code(text, e + 1)))) return undefined;
    return ipv4Valid(text.slice(s, e)) ? [s, e] : undefined;
  }),
  holdFrom: holdNumber,
};

const isIpv6Char = (c: number) => isHex(c) || c === 58 || c === 46;
const isWordOrColon = (c: number) => isAlnum(c) || c === 58 || c === 46 || c === 95;
/**
 * End of the match of `:[0-9A-Fa-f]{0,4}:` at `at`, or -1. The hex digits cannot be colons, so
 * the only match takes all of them: checked directly, for timestamps make many candidates.
 */
function colonPairEnd(text: string, at: number): number {
  if (text.charCodeAt(at) !== 58) return -1;
  let i = at + 1;
  while (i - at <= 4 && isHex(text.charCodeAt(i))) i++;
  return text.charCodeAt(i) === 58 ? i + 1 : -1;
}

/** Longest text an IPv6 address is read from (with an embedded IPv4 part). */
const MAX_IPV6 = 45;

const ipv6: ScanRule = {
  id: 'pii-ip',
  // Found from a colon pair with at most one hex group between, then grown both ways; the
  // search resumes after what was grown.
  gates: [':[0-9A-Fa-f]{0,4}:'],
  scan(text, starts, emit) {
    let from = 0;
    for (const at of starts) {
      if (at < from) continue;
      const pairEnd = colonPairEnd(text, at);
      if (pairEnd < 0) continue;
      // The whole run of address characters around the pair: an address is bounded by
      // characters that are none of these, so a run longer than the longest address holds
      // none, and the search resumes after it (each run is read once).
      let s = at;
      while (s > from && isIpv6Char(text.charCodeAt(s - 1))) s--;
      let e = at + 1;
      while (e < text.length && isIpv6Char(text.charCodeAt(e))) e++;
      if (e - s > MAX_IPV6 || (s === from && s > 0 && isIpv6Char(text.charCodeAt(s - 1)))) {
        from = e;
        continue;
      }
      while (e > s && text.charCodeAt(e - 1) === 46) e--;
      from = Math.max(pairEnd, e);
      if (isWordOrColon(code(text, s - 1)) || isWordOrColon(code(text, e))) continue;
      if (ipv6Valid(text.slice(s, e))) emit(s, e);
    }
  },
  holdFrom: (text) => trailingRun(text, isWordOrColon, 48),
};

const isIbanChar = (c: number) => isAlnum(c) || c === 32;
const iban: ScanRule = {
  id: 'pii-iban',
  gates: [String.raw`[A-Z]{2}\d{2} ?[A-Z0-9]{4} ?[A-Z0-9]{4}`],
  scan: scanWith(sticky(/[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?/y), (text, s, e) => {
    if (isAlnum(code(text, s - 1))) return undefined;
    const length = IBAN_LENGTHS[text.slice(s, s + 2)];
    if (length === undefined) return undefined;
    // Take exactly the country's length in characters, spaces aside.
    let taken = 0;
    let end = s;
    while (end < e && taken < length) {
      if (text.charCodeAt(end) !== 32) taken++;
      end++;
    }
    if (taken !== length || isAlnum(code(text, end))) return undefined;
    return ibanValid(text.slice(s, end)) ? [s, end] : undefined;
  }),
  holdFrom(text) {
    // Hold only from where an IBAN could have started: two capitals at a word start.
    const start = trailingRun(text, isIbanChar, 48);
    const m = /(?<![A-Z0-9])[A-Z](?:[A-Z](?:\d(?:\d[A-Z0-9 ]*)?)?)?$/.exec(text.slice(start));
    return m ? start + m.index : text.length;
  },
};

/** The scanners for the PII kinds switched on, in a fixed order. */
export function piiRules(enabled: Readonly<Record<PiiKind, boolean>>): ScanRule[] {
  const rules: ScanRule[] = [];
  if (enabled.email) rules.push(email);
  if (enabled.card) rules.push(card);
  if (enabled.ssn) rules.push(ssn);
  if (enabled.phone) rules.push(phone);
  if (enabled.iban) rules.push(iban);
  if (enabled.ip) rules.push(ipv4, ipv6);
  return rules;
}
