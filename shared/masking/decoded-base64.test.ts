import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { literalForms } from './literal-forms.js';
import { MAX_SECRET_LENGTH } from './limits.js';
import { PEM_HOLD_LIMIT } from './pem-blocks.js';
import { ALNUM, base64AdversarialInputs, pemKey, pushedInPieces, randomFrom, secretSamples, superLinear } from '../../test/support/masking.js';

const masker = createMasker();

/** A credentials file as an agent's `cat` would print it, with fresh secrets. */
function credentialsFile() {
  const samples = secretSamples();
  const keyId = samples['aws-access-key-id']!();
  const github = samples['github-token']!();
  const text = `# ~/.aws/credentials\n[default]\naws_access_key_id = ${keyId}\naws_secret_access_key = ${randomFrom(ALNUM, 40)}\nregion = eu-west-1\n\n# ~/.config/gh\noauth_token: ${github}\n`;
  return { text, secrets: [keyId, github], rules: ['aws-access-key-id', 'github-token'] };
}

/** `base64` as base64(1) writes it: lines of `width`, each ended by `eol`. */
const wrapped = (encoded: string, width: number, eol = '\n') => encoded.match(new RegExp(`.{1,${width}}`, 'g'))!.join(eol) + eol;

/** Whether any base64 form of `secret` (at any byte offset, either alphabet) is left in `out`, its line breaks taken out. */
function encodedIn(out: string, secret: string): boolean {
  const flat = out.replace(/\\r|\\n|[\r\n]/g, '');
  return literalForms(secret).some((form) => form !== secret && /^[A-Za-z0-9+/_-]+$/.test(form) && flat.includes(form));
}

function assertMasked(out: string, secrets: string[]) {
  for (const secret of secrets) assert.ok(!encodedIn(out, secret), `${secret} still encoded in: ${out}`);
}

describe('secrets in base64 text', () => {
  it('are masked in the characters that encode them: one line, wrapped at 76, 64 with CRLF, 60 in a JSON string', () => {
    const { text, secrets, rules } = credentialsFile();
    const encoded = Buffer.from(text).toString('base64');
    const forms = [
      `$ base64 -w0 ~/.aws/credentials\n${encoded}\n$ `,
      `$ cat creds | base64\n${wrapped(encoded, 76)}`,
      `-----\r\n${wrapped(encoded, 64, '\r\n')}-----\r\n`,
      `output: ${Buffer.from(text).toString('base64url')} (base64url)`,
    ];
    for (const input of forms) {
      const out = masker.text(input);
      assertMasked(out.text, secrets);
      for (const rule of rules) assert.ok(out.findings.some((f) => f.rule === rule), `${rule} in ${JSON.stringify(out.findings)}`);
      // What encodes no secret is left as it was: its first line still decodes to the file's first bytes.
      assert.ok(out.text.includes(encoded.slice(0, 24)) || out.text.includes(Buffer.from(text).toString('base64url').slice(0, 24)), out.text);
    }
    const json = JSON.stringify({ path: 'creds', stdout: wrapped(encoded, 60), exitCode: 0 });
    const out = masker.auto(json, 'application/json');
    assertMasked(out.text, secrets);
    assert.deepEqual(Object.keys(JSON.parse(out.text)), ['path', 'stdout', 'exitCode']);
  });

  it('streamed in any pieces, as the whole text is', () => {
    const { text, secrets } = credentialsFile();
    const input = `running\n${wrapped(Buffer.from(text).toString('base64'), 76)}done\n`;
    const whole = masker.text(input).text;
    for (const size of [1, 7, 76, 77, 500]) {
      const cuts = Array.from({ length: Math.ceil(input.length / size) }, (_, i) => i * size);
      const out = pushedInPieces(masker.stream(), input, cuts);
      assert.equal(out, whole, `pieces of ${size}`);
    }
    assertMasked(whole, secrets);
  });

  it('past a stream\'s hold limit and in slices of a long body: the rest of a run is read at its own offset', () => {
    const { text, secrets } = credentialsFile();
    const filler = Array.from({ length: 400 }, (_, i) => `line ${i} of the build log, nothing to see here\n`).join('');
    const encoded = Buffer.from(filler + text).toString('base64');
    assert.ok(encoded.length > 2 * MAX_SECRET_LENGTH);
    for (const input of [`${encoded}\n`, wrapped(encoded, 76)]) {
      for (const size of [333, 4096]) {
        const cuts = Array.from({ length: Math.ceil(input.length / size) }, (_, i) => i * size);
        assertMasked(pushedInPieces(masker.stream(), input, cuts), secrets);
      }
      assertMasked(masker.text(input).text, secrets);
    }
  });

  it('leaves base64 that encodes no secret: binary, plain text, a certificate, an image, and what only looks like it', () => {
    const plain = Buffer.from('Release notes: the build now caches dependencies between runs.\n').toString('base64');
    const cert = wrapped(randomBytes(600).toString('base64'), 64);
    const untouched = [
      `blob ${randomBytes(96).toString('base64')} end`,
      `notes ${plain}`,
      `-----BEGIN CERTIFICATE-----\n${cert}-----END CERTIFICATE-----\n`,
      `<img src="data:image/png;base64,${randomBytes(300).toString('base64')}">`,
      'GET /repos/octo-org/build-service/actions/runs/123456789/logs HTTP/1.1',
      'commit 8f14e45fceea167a5a36dedd4bea2543 and sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'SecretsManagerV2ClientFactoryBuilderProvider',
    ];
    for (const input of untouched) assert.equal(masker.text(input).text, input);
  });

  it('a private key in base64 (a kubeconfig\'s client-key-data) is still named as the rules name it written out', () => {
    const encoded = Buffer.from(pemKey() + '\n').toString('base64');
    const out = masker.text(`client-key-data: ${encoded}\n`);
    assert.deepEqual(out.findings.map((f) => f.rule), ['private-key']);
    assert.ok(!out.text.includes(encoded.slice(40, 80)));
  });

  it('in linear time, on runs that each decode to text and on runs that only look like base64', () => {
    assert.deepEqual(superLinear((text) => masker.text(text), (size) => base64AdversarialInputs(size), 64 * 1024), []);
  });

  it('a base64 line followed by a line of text, a character glued before it, or indentation is still read', () => {
    const github = secretSamples()['github-token']!();
    const encoded = Buffer.from(`GITHUB_TOKEN=${github}\n`).toString('base64');
    const env = Buffer.from(`# .env\nAPI_URL=https://api.example.com/v1\nGITHUB_TOKEN=${github}\nLOG_LEVEL=debug\n`).toString('base64');
    const inputs = [
      `${encoded}\nExit code: 0`,
      `${wrapped(env, 76)}done\n`,
      `${JSON.stringify({ stdout: `$ base64 creds\n${wrapped(env, 76)}` }).slice(0, -2)}`,
      `\x1b[32m${env}\x1b[0m`,
      `+${env}\n`,
      `GET /ingest?d=${encodeURIComponent('~' + env)} HTTP/1.1`,
      `files:\n  - content: |\n${wrapped(env, 64).replace(/^/gm, '      ')}`,
      `> ${wrapped(env, 60).replace(/\n(?=.)/g, '\n> ')}`,
      wrapped(env, 132),
    ];
    for (const input of inputs) {
      const out = masker.text(input);
      assertMasked(out.text, [github]);
      assert.ok(out.findings.some((f) => f.rule === 'github-token'), input);
    }
  });

  it('text in UTF-16 (PowerShell\'s [Text.Encoding]::Unicode) and in a legacy code page is read too', () => {
    const github = secretSamples()['github-token']!();
    for (const bytes of [Buffer.from(github, 'utf16le'), Buffer.from(`\ufeff$env:GH_TOKEN = "${github}"\r\n`, 'utf16le'), Buffer.from(`# Café\nGH_TOKEN=${github}\n`, 'latin1')]) {
      assertMasked(masker.text(`PS> ${bytes.toString('base64')}`).text, [github]);
    }
  });

  it('a stream cut between a line\'s CR and LF, or inside a long run of non-ASCII text, as the whole text', () => {
    const { text, secrets } = credentialsFile();
    const crlf = `> certutil -encode creds con\r\n${wrapped(Buffer.from(text).toString('base64'), 64, '\r\n')}> `;
    for (let cut = 1; cut < crlf.length; cut += 7) assert.equal(pushedInPieces(masker.stream(), crlf, [cut]), masker.text(crlf).text, `cut at ${cut}`);
    const french = Array.from({ length: 300 }, (_, i) => `étape ${i} : déploiement réussi, aucune erreur à signaler\n`).join('');
    const long = Buffer.from(french + text + french).toString('base64');
    for (const size of [100, 333]) {
      const cuts = Array.from({ length: Math.ceil(long.length / size) }, (_, i) => i * size);
      assertMasked(pushedInPieces(masker.stream(), long, cuts), secrets);
    }
  });

  it('a private key block in base64 longer than the rules reach is masked whole, whole or streamed', () => {
    const body = wrapped(randomBytes(9400).toString('base64'), 64);
    const encoded = Buffer.from(`-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----\n`).toString('base64');
    // A line of the key's body, as base64 of the key block holds it wherever it starts.
    const lines = body.split('\n').filter((line) => line.length === 64);
    const left = (out: string) => lines.filter((line) => encodedIn(out, line.slice(8, 56))).length;
    for (const input of [`${encoded}\n`, wrapped(encoded, 76)]) {
      assert.equal(left(masker.text(input).text), 0);
      assert.equal(left(pushedInPieces(masker.stream(), input, Array.from({ length: Math.ceil(input.length / 1000) }, (_, i) => i * 1000))), 0);
    }
  });

  it('streamed in small pieces, wrapped base64 is read in linear time', () => {
    const stream = (text: string) => pushedInPieces(masker.stream(), text, Array.from({ length: Math.ceil(text.length / 100) }, (_, i) => i * 100));
    assert.deepEqual(superLinear(stream, (size) => base64AdversarialInputs(size).filter((i) => i.shape === 'text wrapped at 76'), 128 * 1024), []);
  });

  it('wrapped lines behind a gutter are one run: line numbers (cat -n, grep -n, a file-reading tool), a diff\'s +', () => {
    const forms: [string, (lines: string[]) => string][] = [
      ['cat -n', (lines) => lines.map((line, i) => `${String(i + 1).padStart(6)}\t${line}`).join('\n') + '\n'],
      ['read tool', (lines) => lines.map((line, i) => `${String(i + 1).padStart(6)}\u2192${line}`).join('\n') + '\n'],
      ['grep -n', (lines) => lines.map((line, i) => `${i + 1}:${line}`).join('\n') + '\n'],
      ['git diff', (lines) => `@@ -0,0 +1,${lines.length} @@\n` + lines.map((line) => `+${line}`).join('\n') + '\n'],
    ];
    // The token's encoding falls across a line break at some of these offsets.
    for (let shift = 0; shift < 12; shift++) {
      const github = secretSamples()['github-token']!();
      const lines = wrapped(Buffer.from(`[default]\n${'#'.repeat(shift)}\ngithub_token = ${github}\n`).toString('base64'), 76).trimEnd().split('\n');
      for (const [name, form] of forms) {
        const out = masker.text(form(lines)).text;
        const flat = out.split('\n').map((line) => line.replace(/^(?:\+|\s*\d+[\t\u2192:])/, '')).join('\n');
        assert.ok(!encodedIn(flat, github), `${name}, shift ${shift}: ${out}`);
      }
    }
  });

  it('a stream holds no more than before what only looks like base64: upper-case hex, .NET\'s dashed hex', () => {
    const bytes = randomBytes(12000);
    for (const input of [`0x${bytes.toString('hex').toUpperCase()}\n(1 row affected)\n`, bytes.toString('hex').toUpperCase().match(/../g)!.join('-') + '\r\nPS> ']) {
      const s = masker.stream();
      let held = 0;
      let fed = 0;
      let emitted = 0;
      for (let at = 0; at < input.length; at += 500) {
        emitted += s.push(input.slice(at, at + 500)).length;
        fed = Math.min(input.length, at + 500);
        held = Math.max(held, fed - emitted);
      }
      assert.equal(emitted + s.end().length, input.length);
      assert.ok(held <= MAX_SECRET_LENGTH + 1500, `held ${held}`);
    }
  });

  it('base64url glued to a URL\'s path, and a long run of UTF-16 or non-ASCII text past a stream\'s hold, are read', () => {
    const github = secretSamples()['github-token']!();
    // Non-ASCII text puts `-` and `_` in base64url, so the path's `/` makes a run of both alphabets.
    const link = Buffer.from(`note: partagé — ${github} — ça marche?`).toString('base64url');
    for (const input of [`https://app.example.com/share/${link}`, `GET /v1/links/${link}?v=2 HTTP/1.1`]) assertMasked(masker.text(input).text, [github]);
    const tokens: string[] = [];
    let notes = '';
    while (notes.length < 70000) {
      const token = secretSamples()['github-token']!();
      tokens.push(token);
      notes += `${'記録を確認しました。'.repeat(60)}\ntoken: ${token}\n`;
    }
    for (const encoded of [Buffer.from(notes, 'utf16le').toString('base64'), Buffer.from(notes).toString('base64')]) {
      assert.ok(encoded.length > 2 * PEM_HOLD_LIMIT);
      const cuts = Array.from({ length: Math.ceil(encoded.length / 997) }, (_, i) => i * 997);
      assertMasked(pushedInPieces(masker.stream(), `PS> ${encoded}\r\nPS> `, cuts), tokens);
    }
  });
});
