import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD_WORDS, pick, randomFrom, secretSamples, DIGITS } from '../../test/support/masking.js';
import { createMasker } from './masker.js';
import { maskMultipart, maskMultipartBytes, multipartBoundary } from './multipart.js';

const masker = createMasker({});

/** A body as FormData encodes it (undici's own encoder), with its content type. */
async function encoded(form: FormData): Promise<{ body: string; type: string }> {
  const response = new Response(form);
  return { body: await response.text(), type: response.headers.get('content-type')! };
}

describe('multipart masking', () => {
  it('reads the boundary of a multipart content type, quoted or not, and of no other type', () => {
    assert.equal(multipartBoundary('multipart/form-data; boundary=----abc'), '----abc');
    assert.equal(multipartBoundary('Multipart/Form-Data;boundary="a b;c"'), 'a b;c');
    assert.equal(multipartBoundary('multipart/mixed; charset=utf-8; boundary=x'), 'x');
    assert.equal(multipartBoundary('application/json; boundary=x'), undefined);
    assert.equal(multipartBoundary('multipart/form-data'), undefined);
    assert.equal(multipartBoundary(undefined), undefined);
  });

  it('masks a field by its name, however its value reads, and keeps every other byte', async () => {
    const password = `${pick(PASSWORD_WORDS)}${randomFrom(DIGITS, 4)}`;
    const form = new FormData();
    form.set('username', 'app');
    form.set('password', password);
    const { body, type } = await encoded(form);
    const masked = masker.auto(body, type);
    assert.ok(!masked.text.includes(password), masked.text);
    assert.ok(masked.text.includes('app'));
    assert.equal(masked.text.replace(/\[MASKED:[^\]]+\]/, password), body);
    assert.deepEqual(masked.findings.map((f) => f.rule), ['sensitive-key']);
  });

  it('masks a file by its own content type, and text in part headers', async () => {
    const token = secretSamples()['github-token']!();
    const password = `${pick(PASSWORD_WORDS)}${randomFrom(DIGITS, 4)}`;
    const form = new FormData();
    form.set('config', new Blob([JSON.stringify({ db: { password } })], { type: 'application/json' }), 'config.json');
    form.set('notes', new Blob([`deploy with ${token}\n`], { type: 'text/plain' }), `${token}.txt`);
    const { body, type } = await encoded(form);
    const masked = masker.auto(body, type).text;
    assert.ok(!masked.includes(password), masked);
    assert.ok(!masked.includes(token), masked);
  });

  it('masks a body cut short to its last part, and one without a delimiter as text', () => {
    const password = `${pick(PASSWORD_WORDS)}${randomFrom(DIGITS, 4)}`;
    const cut = `--b\r\nContent-Disposition: form-data; name="password"\r\n\r\n${password}\r\n--b\r\nContent-Disposition: form-da`;
    assert.ok(!masker.auto(cut, 'multipart/form-data; boundary=b').text.includes(password));
    const token = secretSamples()['github-token']!();
    assert.equal(maskMultipart(`no delimiter here ${token}`, 'b', masker), undefined);
    assert.ok(!masker.auto(`no delimiter here ${token}`, 'multipart/form-data; boundary=b').text.includes(token));
  });
  it('masks text parts of bytes leaving for an upstream, and keeps parts that are not text byte for byte', async () => {
    const token = secretSamples()['github-token']!();
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    const form = new FormData();
    form.set('note', `café ${token}`);
    form.set('audio', new Blob([binary], { type: 'audio/wav' }), 'a.wav');
    const response = new Response(form);
    const type = response.headers.get('content-type')!;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const masked = maskMultipartBytes(bytes, multipartBoundary(type)!, masker)!;
    const text = Buffer.from(masked.bytes).toString('latin1');
    assert.ok(!text.includes(token));
    assert.ok(Buffer.from(masked.bytes).toString('utf8').includes('café [MASKED:github-token]'));
    assert.ok(Buffer.from(masked.bytes).includes(Buffer.from(binary)), 'the binary part is kept as sent');
    const parsed = await new Response(masked.bytes, { headers: { 'content-type': type } }).formData();
    assert.deepEqual(new Uint8Array(await (parsed.get('audio') as Blob).arrayBuffer()), binary);
  });
});
