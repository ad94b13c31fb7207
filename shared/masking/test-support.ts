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

export const pick = <T>(items: readonly T[], random: Random = Math.random): T => items[Math.floor(random() * items.length)]!;

/** One generator per built-in secret rule: rule id → a fresh value that rule must find. */
export function secretSamples(random: Random = Math.random): Record<string, () => string> {
  const r = (alphabet: string, n: number) => randomFrom(alphabet, n, random);
  return {
    'aws-access-key-id': () => 'AKIA' + r(UPPER + '234567', 16),
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
