// An http request in its own terms: `METHOD /path`, with the body text when it was read.
import { headerRecord } from '../headers.js';
import type { AgentRequest } from '../kind.js';
import type { Operation } from '../operation.js';

/** Rules see at most this much of a body. */
export const TEXT_LIMIT = 1024 * 1024;

export function classifyHttp(request: AgentRequest): Operation {
  const target = request.target!;
  const action = `${request.method} ${target.path}`;
  return {
    kind: 'http',
    method: request.method,
    path: target.path,
    actions: [action],
    resources: [],
    flags: [],
    headers: headerRecord(request.headers),
    text: bodyText(request.body.bytes),
    summary: action,
    details: {},
  };
}

export function bodyText(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.byteLength === 0) return '';
  return new TextDecoder().decode(bytes.subarray(0, TEXT_LIMIT));
}
