// Server-rendered HTML for the review pages: a template tag that escapes every value (its invisible
// characters shown as escapes, shown.ts, then HTML's), and the response headers that keep the pages
// to themselves (no scripts, no framing, nothing cached, and no referrer, which carries the link
// token, to other sites; `no-referrer` would also blank the Origin header of our own form posts,
// which the CSRF check reads).
import type { HttpResponseInit } from '@azure/functions';
import { shown } from './shown.js';

export class Html {
  constructor(readonly text: string) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(shown(String(value)));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + render(values[i - 1]) + s));
}

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function pageResponse(status: number, body: Html, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    headers: {
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
    },
    body: body.text,
  };
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
pre{background:#f4f4f4;padding:.75rem;overflow:auto;max-height:24rem;white-space:pre-wrap;overflow-wrap:anywhere}
textarea,input,select{font:inherit;width:100%;box-sizing:border-box;margin:.25rem 0 .75rem}textarea{min-height:5rem}
button{font:inherit;padding:.5rem 1.5rem;border:0;border-radius:4px;color:#fff;cursor:pointer}
.approve{background:#107c10}.deny{background:#c50f1f}.neutral{background:#444}.note{color:#555;font-size:.9rem}.elevated{font-weight:bold;color:#a4262c}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:top;overflow-wrap:anywhere}
a{color:#0b57d0}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
a.button{display:inline-block;padding:.3rem .9rem;border-radius:4px;color:#fff;text-decoration:none;margin:.1rem .2rem .1rem 0}
nav a{margin-right:1rem}.broken{background:#fde7e9;border-left:4px solid #c50f1f;padding:.5rem .75rem}.verified{background:#dff6dd;border-left:4px solid #107c10;padding:.5rem .75rem}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:0 1rem;align-items:end}
ol.timeline{padding-left:1.5rem}ol.timeline>li{margin-bottom:1rem}`;

export function layout(title: string, content: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Portcullis</title><style>${new Html(STYLE)}</style></head>
<body><main>${content}</main></body></html>`;
}
