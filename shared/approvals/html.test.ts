import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html, Html, pageResponse } from './html.js';

describe('review page HTML', () => {
  it('escapes every interpolated value, nested lists included', () => {
    const name = '<script>alert("x")</script>';
    assert.equal(html`<p title="${name}">${[name, html`<b>${"'"}</b>`]}</p>`.text, '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<b>&#39;</b></p>');
  });

  it('shows bidi overrides, zero-width and control characters as escapes, keeping line breaks and tabs', () => {
    const body = '{\n\t"file": "\u202efdp.exe", "x": "a\u200bb\u2066c\u2069\u001b[2J"\r\n}';
    assert.equal(html`<pre>${body}</pre>`.text, '<pre>{\n\t&quot;file&quot;: &quot;\\u202efdp.exe&quot;, &quot;x&quot;: &quot;a\\u200bb\\u2066c\\u2069\\x1b[2J&quot;\r\n}</pre>');
  });

  it('serves pages with a strict CSP, no framing, no cross-site referrer and no caching', () => {
    const headers = pageResponse(200, new Html('<p>x</p>')).headers as Record<string, string>;
    assert.match(headers['content-security-policy']!, /default-src 'none'/);
    assert.match(headers['content-security-policy']!, /form-action 'self'/);
    assert.match(headers['content-security-policy']!, /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['referrer-policy'], 'same-origin');
    assert.equal(headers['cache-control'], 'no-store');
  });
});
