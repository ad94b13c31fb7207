// What is kept of a held request: everything needed to carry it out later (minus the agent's own
// credentials, which the gateway never forwards anyway), and the masked view reviewers are shown.
import { upstreamRequestHeaders } from '../connections/headers.js';
import { bodyKind } from '../connections/response.js';
import { truncateUtf8 } from '../platform/bytes.js';
import type { HeldRequest } from '../gateway/pipeline.js';
import type { Masker } from '../masking/index.js';
import type { ReviewView, StoredRequest } from './held-store.js';

/** Bytes of masked body a reviewer sees (the card shows less). */
export const VIEW_BODY_BYTES = 8 * 1024;

export function storedRequest(held: HeldRequest): StoredRequest {
  const { request, principal, operation } = held;
  const bytes = request.body.bytes ?? new Uint8Array(0);
  return {
    method: request.method,
    target: request.target && { path: request.target.path, search: request.target.search },
    headers: [...upstreamRequestHeaders(request.headers)],
    body: Buffer.from(bytes).toString('base64'),
    principal: { subject: principal.subject, issuer: principal.issuer, groups: [...principal.groups], kind: principal.kind, claims: { ...principal.claims } },
    operation: { ...operation },
    ...(held.effect ? { effect: held.effect } : {}),
  };
}

export function reviewView(masker: Masker, held: HeldRequest): ReviewView {
  const bytes = held.request.body.bytes ?? new Uint8Array(0);
  const contentType = held.request.headers.get('content-type') ?? undefined;
  const summary = masker.text(held.operation.summary);
  let body = '';
  let truncated = false;
  let findings = summary.findings.length;
  if (bytes.byteLength > 0 && bodyKind(contentType ?? 'text/plain') === 'binary') {
    body = `[binary, ${bytes.byteLength} bytes]`;
  } else if (bytes.byteLength > 0) {
    const masked = masker.auto(new TextDecoder().decode(bytes), contentType);
    findings += masked.findings.length;
    body = truncateUtf8(masked.text, VIEW_BODY_BYTES);
    truncated = body.length < masked.text.length;
  }
  return {
    method: held.request.method,
    summary: summary.text,
    contentType,
    bytes: bytes.byteLength,
    body,
    truncated,
    findings,
  };
}
