// Private key blocks in part: the tail of one without its BEGIN line (tail -n of a key file, a
// paged read, the second of two content parts) is masked from its first key line to its END
// line, and the head of one without its END line to the end of the text.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMasker } from './index.js';
import { opensshKey, pemKey } from '../../test/support/masking.js';

const masker = createMasker();
const bodyLines = (block: string) => block.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
/** The key lines of `block` that `out` still holds, a cut one by its last 16 characters. */
const left = (out: string, block: string) => bodyLines(block).filter((line) => out.includes(line.slice(-16)));

describe('a private key block without its BEGIN line', () => {
  it('is masked from its first key line through its END line: tail -n, a paged read cut inside a line, OpenSSH', () => {
    const pem = pemKey();
    const lines = pem.split('\n');
    const tail = lines.slice(6).join('\n');
    const paged = pem.slice(pem.indexOf('\n', 300) - 20);
    const openssh = opensshKey().split('\n').slice(2).join('\n');
    for (const [text, expected] of [
      [`$ tail key.pem\n${tail}\n$ `, '$ tail key.pem\n[MASKED:private-key]\n$ '],
      [paged, '[MASKED:private-key]'],
      [`${openssh}\n`, '[MASKED:openssh-private-key]\n'],
    ]) {
      assert.equal(masker.text(text!).text, expected);
    }
  });

  it('behind a gutter (cat -n, indentation), with CRLF line ends, as JSON text with escaped line breaks', () => {
    const lines = pemKey().split('\n').slice(5);
    const numbered = lines.map((line, i) => `${String(i + 6).padStart(6)}\t${line}`).join('\n');
    assert.equal(masker.text(numbered).text, '     6\t[MASKED:private-key]');
    assert.equal(masker.text(`key:\r\n${lines.map((l) => `  ${l}`).join('\r\n')}\r\n`).text, 'key:\r\n  [MASKED:private-key]\r\n');
    const json = JSON.stringify({ stdout: lines.join('\n') + '\n', code: 0 });
    assert.equal(masker.auto(json, 'application/json').text, '{"stdout":"[MASKED:private-key]\\n","code":0}');
  });

  it('as the second of two content parts, in JSON mode', () => {
    const pem = pemKey();
    const lines = pem.split('\n');
    const content = [lines.slice(0, 8).join('\n'), lines.slice(8).join('\n')].map((text) => ({ type: 'text', text }));
    const out = JSON.stringify(masker.json({ content }).value);
    assert.deepEqual(left(out, pem), []);
  });

  it('streamed in pieces, cut anywhere, as whole', () => {
    const text = `log:\n${pemKey().split('\n').slice(4).join('\n')}\nafter`;
    const whole = masker.text(text).text;
    assert.equal(whole, 'log:\n[MASKED:private-key]\nafter');
    for (let cut = 1; cut < text.length; cut++) {
      const stream = masker.stream();
      assert.equal(stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end(), whole, `cut at ${cut}`);
    }
  });

  it('in a stream, holds key lines only while an END line may still come', () => {
    const lines = pemKey().split('\n');
    const body = lines.slice(4, -1).join('\n') + '\n';
    const held = masker.stream();
    assert.equal(held.push(body), '');
    assert.equal(held.push(lines.at(-1)!.slice(0, 8)), '');
    assert.equal(held.push(`${lines.at(-1)!.slice(8)}\n$ `), '[MASKED:private-key]\n$ ');
    const ended = masker.stream();
    assert.equal(ended.push(body) + ended.push('$ '), `${body}$ `);
    // A hex digest is no key line: its line goes on at once.
    const digest = masker.stream();
    const hex = createHash('sha256').update(body).digest('hex');
    assert.equal(digest.push(`${hex}\n`), `${hex}\n`);
  });

  it('leaves an END line with no key lines above it: code that names one, a documentation example', () => {
    for (const text of ['if (line === "-----END PRIVATE KEY-----") break;', 'The key ends:\n...\n-----END RSA PRIVATE KEY-----\n', '-----END PRIVATE KEY-----']) {
      assert.equal(masker.text(text).text, text);
    }
  });
});

describe('a private key block without its END line', () => {
  it('is masked to the end of the text, in text, JSON mode and a stream', () => {
    const pem = pemKey();
    const head = pem.split('\n').slice(0, 8).join('\n') + '\n';
    assert.equal(masker.text(`key:\n${head}`).text, 'key:\n[MASKED:private-key]');
    assert.deepEqual(left(JSON.stringify(masker.json({ text: head }).value), head), []);
    const stream = masker.stream();
    assert.deepEqual(left(stream.push(head.slice(0, 200)) + stream.push(head.slice(200)) + stream.end(), head), []);
  });
});
