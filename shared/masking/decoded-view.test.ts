// Escaped secrets in text: the rules also read a text with its JSON escapes, percent-encoding and
// HTML character references of secret characters decoded and its terminal escape sequences
// removed, and mask what they find there in the text as written.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodedView, escapedRegions } from './decoded-view.js';
import { createMasker } from './index.js';
import { ALNUM, randomFrom } from '../../test/support/masking.js';

const masker = createMasker();
const token = () => 'ghp_' + randomFrom(ALNUM, 36);
const storageKey = () => randomBytes(64).toString('base64');
const connection = (key: string) => `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${key};EndpointSuffix=core.windows.net`;

describe('decodedView', () => {
  it('decodes escapes of secret characters and maps each offset of the view back to the text', () => {
    const text = 'a%2Bb\\u0067c\\/d%20e';
    const view = decodedView(text)!;
    assert.equal(view.text, 'a+bgc/d%20e');
    assert.deepEqual([...view.from], [0, 1, 4, 5, 11, 12, 14, 15, 16, 17, 18, 19]);
  });

  it('removes terminal escape sequences: each character after some maps to where they start', () => {
    const text = 'a\u001b[01;31m\u001b[Kb\u001b]8;;file:///x\u0007c\u001b(B\u001b[md';
    const view = decodedView(text)!;
    assert.equal(view.text, 'abcd');
    assert.deepEqual([...view.from], [0, 1, 13, 29, 36]);
  });

  it('decodes HTML character references: named, decimal and hex', () => {
    const view = decodedView('{&quot;k&#34;:&#x27;v&#X0027;}&amp;&lt;&gt;&apos;')!;
    assert.equal(view.text, `{"k":'v'}&<>'`);
    assert.deepEqual([...view.from], [0, 1, 7, 8, 13, 14, 20, 21, 29, 30, 35, 39, 43, 49]);
  });

  it('is undefined for a text without such an escape: none at all, spaces, a Windows path, a lone %, &, or ESC', () => {
    for (const text of ['plain text', 'a%20b%0A', 'C:\\Users\\me\\notes', '100% sure', '\\u00e9t\\u00e9', 'a & b && c', '&nope; &#; &#x; &#32; &eacute; &amp', 'x \u001b', '\u001b]0;title']) {
      assert.equal(decodedView(text), undefined, text);
    }
  });
});

describe('escapedRegions', () => {
  it('reads a stretch around each decodable escape, close ones as one, and none for a text without one', () => {
    const far = 'x'.repeat(5000);
    assert.deepEqual(escapedRegions(`a%2Bb${far}c\\/d`), [[0, 1028], [3982, 5009]]);
    assert.deepEqual(escapedRegions(`%2B${'y'.repeat(1500)}%3D`), [[0, 1506]]);
    assert.deepEqual(escapedRegions('100% and %20 and C:\\dir'), []);
    assert.deepEqual(escapedRegions(`a&amp;b${far}\u001b[mc`), [[0, 1030], [3983, 5011]]);
  });
});

describe('escaped secrets in text are masked as written', () => {
  it('a token JSON-escaped in a log line, in text that is not one JSON document', () => {
    for (const text of [(t: string) => `log {"t":"${t.replace('ghp_', '\\u0067hp_')}"} and more`, (t: string) => `${JSON.stringify({ t })}NaN`.replace('ghp_', '\\u0067\\u0068p_')]) {
      const value = token();
      const out = masker.auto(text(value), 'application/json');
      assert.ok(!out.text.includes(value.slice(4)), out.text);
      assert.ok(out.findings.some((f) => f.rule === 'github-token'));
    }
  });

  it('a connection string percent-encoded as a query parameter, and with its slashes JSON-escaped in a log line', () => {
    for (let i = 0; i < 5; i++) {
      const key = storageKey();
      for (const text of [`GET /report?conn=${encodeURIComponent(connection(key))}&day=1`, `log: {"conn":"${connection(key).replace(/\//g, '\\/')}"} retry`]) {
        const out = masker.text(text).text;
        const pieces = key.split(/[+/]/).filter((p) => p.length >= 8);
        assert.ok(!pieces.some((p) => out.includes(p)), out);
      }
    }
  });

  it('a sensitive member percent-encoded in a query', () => {
    const value = randomFrom(ALNUM, 14) + '7';
    const out = masker.text(`GET /q?filter=${encodeURIComponent(JSON.stringify({ password: value }))}`).text;
    assert.ok(!out.includes(value), out);
  });

  it('streamed in pieces, cut anywhere, as whole', () => {
    const value = token();
    const text = `log {"t":"${value.replace('ghp_', '\\u0067hp_')}"} end`;
    for (let cut = 1; cut < text.length; cut += 3) {
      const stream = masker.stream();
      const out = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
      assert.equal(out, masker.text(text).text, `cut at ${cut}`);
      assert.ok(!out.includes(value.slice(4)));
    }
  });

  it('leaves text whose escapes hide nothing', () => {
    for (const text of ['see https://example.com/a%2Fb?q=x%3Dy%26z and C:\\Users\\me\\u0041', 'a\\/b\\/c %5Bdone%5D']) {
      assert.equal(masker.text(text).text, text);
    }
  });
});

/** As grep --color=always prints a match: SGR and EL around it. */
const highlight = (s: string) => `\u001b[01;31m\u001b[K${s}\u001b[m\u001b[K`;
/** As grep prints a file's name before a match. */
const fileName = '\u001b[35m\u001b[Kapp.env\u001b[m\u001b[K\u001b[36m\u001b[K:\u001b[m\u001b[K';
const password = () => 'Summer' + randomFrom(ALNUM, 8) + '7';

describe('secrets split by terminal escape sequences are masked as written', () => {
  it('grep --color=always: a token cut from its prefix, a key from its value, masked as in the plain line', () => {
    for (let i = 0; i < 5; i++) {
      const value = token();
      const pw = password();
      const key = 'AKIA' + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16);
      const cases: [string, string, string][] = [
        [`GITHUB_TOKEN=${highlight('ghp_')}${value.slice(4)}`, `GITHUB_TOKEN=${value}`, value.slice(4)],
        [`DB_${highlight('PASSWORD')}=${pw}`, `DB_PASSWORD=${pw}`, pw],
        [`  ${highlight('password')}: ${pw}`, `  password: ${pw}`, pw],
        [`aws_access_key_id = ${highlight('AKIA')}${key.slice(4)}`, `aws_access_key_id = ${key}`, key.slice(4)],
      ];
      for (const [coloured, plain, secret] of cases) {
        const out = masker.text(fileName + coloured);
        const marker = /\[MASKED:[a-z0-9-]+\]$/.exec(masker.text(plain).text)![0];
        assert.ok(out.text.startsWith(fileName) && out.text.endsWith(marker), out.text);
        assert.ok(!out.text.includes(secret) && !JSON.stringify(out.findings).includes(secret));
      }
      // The masked span covers the token and the sequences between its characters, not those before its prefix.
      assert.equal(masker.text(`GITHUB_TOKEN=${highlight('ghp_')}${value.slice(4)}`).text, 'GITHUB_TOKEN=[MASKED:github-token]');
    }
  });

  it('colourised logs: sequences inside a token, a hyperlink and tput sgr0 between a key and its value', () => {
    const value = token();
    const pw = password();
    const text = [
      `\u001b[32mINFO\u001b[0m token=${value.slice(0, 10)}\u001b[1m${value.slice(10)}\u001b[0m done`,
      `\u001b]8;;https://example.com\u001b\\\u001b[33mDB_PASSWORD\u001b]8;;\u001b\\\u001b(B\u001b[m=${pw}`,
    ].join('\n');
    const out = masker.text(text).text;
    assert.ok(!out.includes(value.slice(10)) && !out.includes(pw), out);
    assert.ok(out.startsWith('\u001b[32mINFO\u001b[0m token=[MASKED:github-token]\u001b[0m done\n'), out);
  });

  it('streamed in pieces, cut anywhere, as whole', () => {
    const text = `${fileName}GITHUB_TOKEN=${highlight('ghp_')}${token().slice(4)}\n${fileName}DB_${highlight('PASSWORD')}=${password()}\nend`;
    const whole = masker.text(text).text;
    for (let cut = 1; cut < text.length; cut++) {
      const stream = masker.stream();
      assert.equal(stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end(), whole, `cut at ${cut}`);
    }
  });

  it('leaves coloured text that hides nothing as it is', () => {
    const text = `${fileName}LOG_LEVEL=${highlight('debug')}\n\u001b[1;32m✓\u001b[0m 12 passed`;
    assert.equal(masker.text(text).text, text);
  });
});

describe('secrets behind HTML character references are masked as written', () => {
  const props = (pw: string) => JSON.stringify({ smtp: { host: 'mail.example.com', user: 'app', password: pw } });

  it('JSON in an attribute, its quotes as &quot;, &#34; or &#x22;, as the same JSON served raw is', () => {
    for (const quote of ['&quot;', '&#34;', '&#x22;', '&#x0022;']) {
      const pw = password();
      const html = `<div id="settings" data-props="${props(pw).replaceAll('"', quote)}"></div>`;
      const out = masker.auto(html, 'text/html; charset=utf-8');
      // Only the value is masked, the references around it kept.
      assert.equal(out.text.replace(/\[MASKED:[a-z-]+\]/, '*'), html.replace(pw, '*'));
      assert.ok(!masker.auto(props(pw), 'application/json').text.includes(pw));
    }
  });

  it('a Python dict in a page (&#39;), a query in a link (&amp;), XML shown in a page (&lt; &gt;)', () => {
    const pw = password();
    for (const text of [
      `<pre>{&#39;password&#39;: &#39;${pw}&#39;}</pre>`,
      `<a href="/login?user=app&amp;password=${pw}">`,
      `<code>&lt;password&gt;${pw}&lt;/password&gt;</code>`,
    ]) {
      const out = masker.text(text).text;
      assert.ok(!out.includes(pw), out);
    }
  });

  it('streamed in pieces, cut anywhere, as whole', () => {
    const text = `<div data-props="${props(password()).replaceAll('"', '&quot;')}"></div>`;
    const whole = masker.text(text).text;
    for (let cut = 1; cut < text.length; cut++) {
      const stream = masker.stream();
      assert.equal(stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end(), whole, `cut at ${cut}`);
    }
  });

  it('leaves markup whose references hide nothing', () => {
    const text = '<p>Tom &amp; Jerry &lt;3 &quot;quoted&quot; &#169; 2024</p><a href="?a=1&amp;b=2">x</a>';
    assert.equal(masker.text(text).text, text);
  });
});
