import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html, Html, pageResponse } from './html.js';

describe('review page HTML', () => {
  it('escapes every interpolated value, nested lists included', () => {
    const name = '<script>alert("x")</script>';
    assert.equal(html`<p title="${name}">${[name, html`<b>${"'"}</b>`]}</p>`.text, '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<b>&#39;</b></p>');
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
