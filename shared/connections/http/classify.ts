// An http request in its own terms: `METHOD /path`, with the body text when it was read.
import { bodyText } from '../body-text.js';
import { headerRecord } from '../headers.js';
import type { AgentRequest } from '../kind.js';
import type { Operation } from '../operation.js';

export function classifyHttp(request: AgentRequest): Operation {
  const target = request.target!;
  const action = `${request.method} ${target.path}`;
  return {
    kind: 'http',
    method: request.method,
    path: target.path,
    query: target.search.replace(/^\?/, ''),
    actions: [action],
    resources: [],
    flags: [],
    headers: headerRecord(request.headers),
    text: bodyText(request.body.bytes),
    summary: `${action}${target.search}`,
    details: {},
  };
}
