import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { ALNUM, BASE64, DIGITS, HEX, LOWER, opensshKey, pemKey, randomFrom, secretSamples, seeded, UPPER } from '../../test/support/masking.js';

const masker = createMasker({ pii: { ip: true } });
const masked = (text: string) => masker.text(text).text;
const rulesIn = (text: string) => masker.text(text).findings.map((f) => f.rule);

describe('built-in secret rules', () => {
  for (const [rule, make] of Object.entries(secretSamples())) {
    it(`${rule}: masks the value alone, in prose, quotes, JSON and after "="`, () => {
      const value = make();
      for (const text of [value, `see ${value} now`, `"${value}"`, `{"v":"${value}"}`, `X=${value}\n`]) {
        const out = masker.text(text);
        assert.ok(!out.text.includes(value), `${rule} leaked in ${JSON.stringify(text)}`);
        assert.ok(out.findings.some((f) => f.rule === rule), `${rule} not reported in ${JSON.stringify(text)}: ${JSON.stringify(out.findings)}`);
      }
    });
  }

  it('does not cut a token out of a longer run of token characters', () => {
    const inner = secretSamples()['github-token']!();
    assert.deepEqual(rulesIn(`x${inner}y`), []);
  });

  it('masks PEM (PKCS#8, PKCS#1) and OpenSSH private keys, whole', () => {
    for (const [key, rule] of [[pemKey(), 'private-key'], [pemKey('pkcs1'), 'private-key'], [opensshKey(), 'openssh-private-key']] as const) {
      const out = masker.text(`before\n${key}\nafter`);
      assert.equal(out.text, `before\n[MASKED:${rule}]\nafter`);
    }
  });

  it('masks a truncated private key up to where it stops', () => {
    const key = pemKey().split('\n').slice(0, 5).join('\n');
    assert.equal(masked(`${key}\n`), '[MASKED:private-key]');
  });

  it('masks a PEM key inside JSON (escaped newlines) and keeps the JSON valid', () => {
    const key = pemKey();
    const body = JSON.stringify({ type: 'service_account', private_key_id: randomFrom(HEX, 40), private_key: key });
    const out = createMasker({ disabled: ['sensitive-key'] }).auto(body);
    const value = JSON.parse(out.text) as Record<string, string>;
    assert.equal(value.private_key, '[MASKED:private-key]');
    assert.equal(value.private_key_id, '[MASKED:gcp-service-account-key-id]');
  });

  it('masks cloud credentials in their usual settings', () => {
    const secretKey = randomFrom(BASE64, 40);
    assert.equal(masked(`aws_secret_access_key = ${secretKey}`), 'aws_secret_access_key = [MASKED:aws-secret-access-key]');
    const accountKey = randomFrom(BASE64, 86) + '==';
    assert.equal(
      masked(`DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${accountKey};EndpointSuffix=core.windows.net`),
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[MASKED:azure-storage-account-key];EndpointSuffix=core.windows.net',
    );
    const sasKey = randomFrom(BASE64, 43) + '=';
    assert.match(masked(`Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${sasKey}`), /SharedAccessKey=\[MASKED:azure-shared-access-key\]$/);
    const sig = randomFrom(ALNUM, 40) + '%3D';
    assert.equal(
      masked(`https://a.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&sp=r&se=2030-01-01&sig=${sig}`),
      'https://a.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&sp=r&se=2030-01-01&sig=[MASKED:azure-sas-signature]',
    );
  });

  it('masks passwords in database URLs, basic-auth URLs and connection strings', () => {
    const pw = randomFrom(ALNUM, 12);
    assert.equal(masked(`postgres://app:${pw}@db:5432/x`), 'postgres://app:[MASKED:database-url-password]@db:5432/x');
    assert.equal(masked(`mongodb+srv://app:${pw}@c.example.net/db`), 'mongodb+srv://app:[MASKED:database-url-password]@c.example.net/db');
    assert.equal(masked(`https://bot:${pw}@git.example.com/r.git`), 'https://bot:[MASKED:url-basic-auth]@git.example.com/r.git');
    assert.equal(masked(`Server=tcp:s;Database=d;User Id=u;Password=${pw};`), 'Server=tcp:s;Database=d;User Id=u;Password=[MASKED:connection-string-password];');
    assert.equal(masked('https://user:****@example.com'), 'https://user:****@example.com');
  });

  it('masks authorization headers and bearer tokens', () => {
    const token = randomFrom(ALNUM, 32);
    assert.equal(masked(`Authorization: Bearer ${token}`), 'Authorization: Bearer [MASKED:authorization-header]');
    assert.equal(masked(`curl -H "bearer ${token}"`), 'curl -H "bearer [MASKED:bearer-token]"');
    assert.equal(masked('Authorization: required'), 'Authorization: required');
  });

  it('masks a bearer token made of letters alone (a random one is, now and then)', () => {
    // Two capitals first: no identifier made of words (PascalCase, camelCase) starts so.
    const token = randomFrom(UPPER, 2) + randomFrom(UPPER + LOWER, 30);
    assert.equal(masked(`Authorization: Bearer ${token}`), 'Authorization: Bearer [MASKED:authorization-header]');
    assert.equal(masked(`curl -H "bearer ${token}"`), 'curl -H "bearer [MASKED:bearer-token]"');
    assert.equal(masked('Authorization: Bearer ${TOKEN}'), 'Authorization: Bearer ${TOKEN}');
    assert.equal(masked('the bearer instrumentsAndBonds'), 'the bearer instrumentsAndBonds');
  });

  it('masks generic assignments with high entropy, and leaves words, code and numbers', () => {
    const value = randomFrom(ALNUM, 20) + '7';
    for (const text of [`password=${value}`, `"client_secret": "${value}"`, `API_KEY: '${value}'`, `db.password := ${value}`, `{\\"token\\": \\"${value}\\"}`]) {
      assert.ok(!masked(text).includes(value), text);
    }
    for (const text of [
      'password: required', 'token = getToken(request)', 'secret: process.env.SECRET', '"max_tokens": 4096',
      '"prompt_tokens": 123456789', 'token: ${TOKEN}', 'the token is expired', 'secret_name: my-app-secret',
      // Optional chaining is code; a path of words from home is a place.
      'const token = req.headers.authorization?.split(" ")[1];', 'private_key_path = "~/.ssh/id_rsa"',
      // A pod in YAML: under `secret:` and `serviceAccountToken:` come the next keys, not values.
      '  - name: tls\n    secret:\n      defaultMode: 420\n      secretName: web-tls',
      '      - serviceAccountToken:\n          expirationSeconds: 3607\n          path: token',
    ]) {
      assert.equal(masked(text), text, text);
    }
  });
});

describe('PII detection', () => {
  it('masks each kind and reports it', () => {
    const cases: [string, string][] = [
      ['mail bob.smith@example.org today', 'pii-email'],
      ['card 4111 1111 1111 1111 exp', 'pii-card'],
      ['card 378282246310005.', 'pii-card'],
      ['iban GB82 WEST 1234 5698 7654 32 ok', 'pii-iban'],
      ['ssn 123-45-6789 ok', 'pii-ssn'],
      ['call +44 20 7946 0958 now', 'pii-phone'],
      ['call (415) 555-2671 now', 'pii-phone'],
      ['from 192.168.10.20 ok', 'pii-ip'],
      ['from fe80::1ff:fe23:4567:890a ok', 'pii-ip'],
    ];
    for (const [text, rule] of cases) assert.deepEqual(rulesIn(text), [rule], text);
  });

  it('leaves look-alikes alone', () => {
    for (const text of [
      'order 4111 1111 1111 1112', 'ts 1714567890123', 'at 2024-05-01T12:34:56Z', 'v1.2.3.4.5', 'id 000-12-3456',
      'version 10.0.19045', 'std::vector<int>', 'took 12:34:56', 'GB82 WEST 1234', 'mail me at bob@localhost', 'x 415 5552671',
      // A URL's user and scp's or git's remote are a login at a host, not an address.
      'git clone git@github.com:org/repo.git', 'origin\tgit@ssh.dev.azure.com:v3/org/proj/repo (fetch)', 'ssh://git@github.com/org/repo',
      'postgres://app@db1.internal:5432/app', 'https://deploy@example.com/path', 'scp build.tgz azureuser@vm1.example.com:~/drop/',
    ]) {
      assert.deepEqual(rulesIn(text), [], text);
    }
  });

  it('switches kinds off, and keeps IP addresses off by default', () => {
    const m = createMasker({ pii: { email: false } });
    assert.equal(m.text('bob@example.com 10.0.0.1').text, 'bob@example.com 10.0.0.1');
    assert.equal(createMasker().text('10.0.0.1').text, '10.0.0.1');
  });

  it('backs off a greedy candidate to the valid number before a following one', () => {
    assert.equal(masked('4111 1111 1111 1111 2024'), '[MASKED:pii-card] 2024');
  });

  it('reads Luhn in place for every length of card, even and odd, after other digits too', () => {
    const random = seeded(13);
    const luhn = (body: string) => {
      let sum = 0;
      for (let i = 0; i < body.length; i++) {
        let d = body.charCodeAt(body.length - 1 - i) - 48;
        if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      return String((10 - (sum % 10)) % 10);
    };
    for (let length = 13; length <= 19; length++) {
      for (let round = 0; round < 20; round++) {
        const body = '4' + Array.from({ length: length - 2 }, () => Math.floor(random() * 10)).join('');
        const card = body + luhn(body);
        const wrong = body + String((Number(luhn(body)) + 1 + Math.floor(random() * 9)) % 10);
        const spaced = card.replace(/(\d{4})(?!$)/g, '$1 ');
        assert.equal(masked(`card ${card} exp`), 'card [MASKED:pii-card] exp', card);
        assert.equal(masked(`ref 12 ${spaced}`), 'ref 12 [MASKED:pii-card]', spaced);
        assert.equal(masked(`card ${wrong} exp`), `card ${wrong} exp`, wrong);
      }
    }
  });

  it('finds a number that follows another one inside a rejected candidate', () => {
    assert.equal(masked('ref 2024 4111111111111111'), 'ref 2024 [MASKED:pii-card]');
    assert.equal(masked('order 1234 4111 1111 1111 1111'), 'order 1234 [MASKED:pii-card]');
    assert.equal(masked('call 2024 +1 415 555 2671 now'), 'call 2024 [MASKED:pii-phone] now');
  });
});

describe('replacement and findings', () => {
  it('keeps the last N characters when asked, never more than a quarter', () => {
    const value = 'ghp_' + randomFrom(ALNUM, 36);
    const m = createMasker({ replacements: { 'github-token': { keep: 4 }, 'pii-email': { keep: 10 } } });
    assert.equal(m.text(value).text, `[MASKED:github-token]${value.slice(-4)}`);
    assert.equal(m.text('bob@example.com').text, '[MASKED:pii-email]com');
  });

  it('gives each masker its own replacements and rules, made one after another from the same ones', () => {
    const value = 'ghp_' + randomFrom(ALNUM, 36);
    const keeping = createMasker({ replacements: { 'github-token': { keep: 4 } } });
    const plain = createMasker({});
    const without = createMasker({ disabled: ['github-token'] });
    const own = createMasker({ rules: [{ id: 'acme-token', regex: 'acme_[a-z0-9]{32}', keywords: ['acme_'] }] });
    assert.equal(keeping.text(value).text, `[MASKED:github-token]${value.slice(-4)}`);
    assert.equal(plain.text(value).text, '[MASKED:github-token]');
    assert.ok(!without.text(value).findings.some((f) => f.rule === 'github-token'));
    const acme = 'acme_' + randomFrom(LOWER + DIGITS, 32);
    assert.equal(own.text(acme).text, '[MASKED:acme-token]');
    assert.equal(plain.text(acme).text, acme);
  });

  it('names a finding by rule, offset, length and hash prefix, never by value', () => {
    const value = 'npm_' + randomFrom(ALNUM + DIGITS, 36);
    const { findings } = masker.text(`ab ${value}`);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.location, 'offset:3');
    assert.equal(findings[0]!.length, 40);
    assert.match(findings[0]!.hash, /^[0-9a-f]{8}$/);
    assert.ok(!JSON.stringify(findings).includes(value));
  });

  it('switches rules off by id', () => {
    const value = secretSamples()['github-token']!();
    assert.equal(createMasker({ disabled: ['github-token'] }).text(value).text, value);
  });
});

describe('bare Azure storage account keys', () => {
  const key = () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))).toString('base64');

  it('masks an 88-character key with no AccountKey= before it (ARM outputs, listKeys)', () => {
    const value = key();
    const outputs = JSON.stringify({ outputs: { storageKey: { type: 'String', value } } });
    assert.ok(!masker.auto(outputs, 'application/json').text.includes(value));
    assert.deepEqual(rulesIn(`key1: ${value}`), ['azure-storage-account-key']);
  });

  it('leaves base64 that is not a key alone: other lengths, padding, inside longer runs, low entropy', () => {
    const value = key();
    assert.deepEqual(rulesIn(`x ${value.slice(1)} y`), []);
    assert.deepEqual(rulesIn(`x ${'A'.repeat(85)}Q== y`), []);
    assert.deepEqual(rulesIn(`x ${'ab'.repeat(43).slice(0, 85)}Q== y`), []);
    assert.deepEqual(rulesIn(`x a${value} y`), []);
    assert.deepEqual(rulesIn(`x ${value}= y`), []);
    // The 86th character of a 64-byte key carries 2 bits: only A, Q, g or w.
    assert.deepEqual(rulesIn(`x ${value.slice(0, 85)}B== y`), []);
  });
});
