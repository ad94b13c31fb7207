// Test and benchmark support: a seeded random source and generators for secret-shaped values,
// made at run time so that no scanner-flagged literal is committed. Not used by the engine.
import { createHmac, generateKeyPairSync } from 'node:crypto';

export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
export const HEX = '0123456789abcdef';
export const BASE64 = ALNUM + '+/';

export type Random = () => number;

/** mulberry32: a small seeded generator, so a failing property run can be replayed. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randomFrom = (alphabet: string, length: number, random: Random = Math.random) =>
  Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

/**
 * A high-entropy value that no dictionary-word allowlist can excuse: letters and digits alternate,
 * so it holds no run of two letters (gitleaks' generic rule drops values containing a stopword),
 * and each is drawn without repeats until its alphabet runs out, so its entropy is always high.
 */
export function wordFree(length: number, random: Random = Math.random): string {
  const shuffled = (alphabet: string) => [...alphabet].sort(() => random() - 0.5);
  const letters = shuffled(UPPER + LOWER);
  const digits = shuffled(DIGITS);
  return Array.from({ length }, (_, i) => (i % 2 ? digits[(i >> 1) % digits.length] : letters[(i >> 1) % letters.length])).join('');
}

export const pick = <T>(items: readonly T[], random: Random = Math.random): T => items[Math.floor(random() * items.length)]!;

/** One generator per built-in secret rule: rule id → a fresh value that rule must find. */
export function secretSamples(random: Random = Math.random): Record<string, () => string> {
  const r = (alphabet: string, n: number) => randomFrom(alphabet, n, random);
  return {
    'aws-access-key-id': () => 'AKIA' + r(UPPER + '234567', 16),
    'azure-storage-account-key': () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256))).toString('base64'),
    'github-token': () => pick(['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], random) + r(ALNUM, 36),
    'github-fine-grained-pat': () => 'github_pat_' + r(ALNUM, 22) + '_' + r(ALNUM, 59),
    'gitlab-token': () => 'glpat-' + r(ALNUM, 20),
    'npm-token': () => 'npm_' + r(ALNUM, 36),
    'pypi-token': () => 'pypi-AgEIcHlwaS5vcmc' + r(ALNUM, 60),
    'slack-token': () => 'xoxb-' + r(DIGITS, 11) + '-' + r(DIGITS, 12) + '-' + r(ALNUM, 24),
    'stripe-key': () => 'sk_' + 'live_' + r(ALNUM, 24),
    'sendgrid-api-key': () => 'SG.' + r(ALNUM, 22) + '.' + r(ALNUM, 43),
    'twilio-api-key': () => 'SK' + r(HEX, 32),
    'shopify-token': () => 'shpat_' + r(HEX, 32),
    'gcp-api-key': () => 'AIza' + r(ALNUM, 35),
    'azure-ad-client-secret': () => r(ALNUM, 3) + r(DIGITS, 1) + 'Q~' + r(ALNUM, 34),
    'openai-api-key': () => 'sk-proj-' + r(ALNUM, 40) + r(DIGITS, 2),
    'anthropic-api-key': () => 'sk-ant-api03-' + r(ALNUM, 90),
    'huggingface-token': () => 'hf_' + r(ALNUM, 34),
    'groq-api-key': () => 'gsk_' + r(ALNUM, 52),
    'jwt': () => jwt(random),
    'databricks-token': () => 'dapi' + r(HEX, 32),
    'hashicorp-vault-token': () => 'hvs.' + r(ALNUM, 90),
  };
}

/** A Luhn-valid 16-digit Visa-range card number, digits only. */
export function cardNumber(random: Random = Math.random): string {
  const body = '4' + randomFrom(DIGITS, 14, random);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Doubled: every second digit counting from the check digit, which is appended last.
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

export function jwt(random: Random = Math.random): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub: randomFrom(ALNUM, 12, random), iat: 1700000000 });
  const sig = createHmac('sha256', randomFrom(ALNUM, 32, random)).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** A fresh PEM private key (PKCS#8, or PKCS#1 when `type` is 'pkcs1'). */
export function pemKey(type: 'pkcs8' | 'pkcs1' = 'pkcs8'): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return privateKey.export({ type, format: 'pem' }).toString().trimEnd();
}

/** A fresh OpenSSH private key block (ed25519). */
export function opensshKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), der]).toString('base64').replace(/.{1,70}/g, '$&\n');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}-----END OPENSSH PRIVATE KEY-----`;
}

/**
 * Inputs that stress a rule's regex, each about `size` characters: its keywords repeated
 * (bare, with separators that have no value, with unterminated quotes, in three cases), and a
 * keyword followed by a long run of a value class. For the linearity test and the bench.
 */
export function adversarialInputs(keywords: readonly string[], size: number): { shape: string; text: string }[] {
  const words = [...new Set(keywords.filter((k) => k.length > 0))].slice(0, 4);
  const cased = (k: string) => [k, k.toUpperCase(), k[0]!.toUpperCase() + k.slice(1)];
  const all = (words.length > 0 ? words : ['key']).flatMap(cased);
  const repeat = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const tail = (head: string, run: string) => head + repeat(run).slice(head.length);
  const shapes: [string, string][] = [
    ['keywords', repeat(all.join(''))],
    ['keywords and spaces', repeat(all.join(' ') + ' ')],
    ['keyword=', repeat(all.map((k) => `${k}=`).join(''))],
    ['keyword: "', repeat(all.map((k) => `${k}: "`).join(''))],
    ['"keyword": "', repeat(all.map((k) => `"${k}": "`).join(''))],
    ['keyword = value-ish', repeat(all.map((k) => `${k} = a1B2-`).join(''))],
    ['keyword with token run', repeat(all.map((k) => `${k}_aB3+/=.-`).join(''))],
    ['keyword then letters', tail(`${all[0]}=`, 'a')],
    ['keyword then digits', tail(`${all[0]}=`, '0')],
    ['keyword then base64', tail(`${all[0]}="`, 'aB3+/9zQ')],
    ['keyword then hex', tail(`${all[0]}:`, '0a1b2c3d')],
    ['keyword then spaces', tail(all[0]!, ' ')],
    ['keyword then dashes', tail(all[0]!, '-')],
  ];
  return shapes.map(([shape, text]) => ({ shape, text }));
}

/** Inputs that stress the PII scanners: their gates repeated, and runs of what they read. */
export function piiAdversarialInputs(size: number): { shape: string; text: string }[] {
  const repeat = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const units: [string, string][] = [
    ['@ run', '@'],
    ['a@ run', 'a@'],
    ['user:pass@ run', 'a:b@'],
    ['dotted local part', 'a.'],
    ['email-ish domain', 'a@b.'],
    ['digits', '0'],
    ['digit groups', '4111 '],
    ['dashed digits', '123-45-'],
    ['phone-ish', '+1 (555) '],
    ['dotted numbers', '1.2.'],
    ['colons', ':'],
    ['hex groups', 'a:'],
    ['iban-ish', 'DE00 AAAA '],
    ['upper and digits', 'DE00'],
  ];
  return units.map(([shape, unit]) => ({ shape, text: repeat(unit) }));
}

export const RATIO = 8;
/**
 * Below this, a time on 4x the input says nothing: the input is masked well above the 20 MB/s
 * the bench asks of a rule, and collector pauses or a descheduled process dominate it.
 */
const NOISE_MS = 50;

export function fastest(run: () => unknown, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/**
 * Shapes (by name) whose time grows faster than linearly from `size` to 4x `size`: more than
 * RATIO times (linear is 4x, quadratic 16x). A run is only ever slowed down by a loaded
 * machine, so a ratio over the limit is measured again, as the fastest of more runs, before
 * it counts.
 */
export function superLinear(
  detect: (text: string) => unknown,
  inputs: (size: number) => { shape: string; text: string }[],
  size: number,
): string[] {
  const small = inputs(size);
  const large = inputs(4 * size);
  const failing: string[] = [];
  small.forEach(({ shape, text }, i) => {
    const big = large[i]!.text;
    detect(text);
    let ratio = 0;
    for (const runs of [1, 3, 5]) {
      const tLarge = fastest(() => detect(big), runs);
      if (tLarge < NOISE_MS) return;
      ratio = tLarge / Math.max(fastest(() => detect(text), runs), NOISE_MS / 4);
      if (ratio <= RATIO) return;
    }
    failing.push(`${shape}: ${ratio.toFixed(1)}x for 4x the input`);
  });
  return failing;
}

