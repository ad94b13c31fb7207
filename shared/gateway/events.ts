// Builds session-log events from pipeline values: identity without claims, the operation's
// summary, and masked, truncated payloads with their original sizes. What the agent put in a path
// or query (a token in a webhook URL, say) is masked too: the log is write-once.
import type { AgentRequest } from '../connections/kind.js';
import type { Operation } from '../connections/operation.js';
import type { Principal } from '../identity/index.js';
import type { Masker } from '../masking/index.js';
import type { EventInput } from '../sessions/index.js';

export function eventBase(at: {
  sessionId: string;
  requestId: string;
  principal: Principal;
  connection: string;
  operation: Operation;
  masker: Masker;
}): Omit<EventInput, 'type'> {
  const mask = (text: string) => at.masker.text(text).text;
  return {
    sessionId: at.sessionId,
    requestId: at.requestId,
    principal: { subject: at.principal.subject, issuer: at.principal.issuer, groups: [...at.principal.groups] },
    connection: at.connection,
    operation: {
      kind: at.operation.kind,
      summary: mask(at.operation.summary),
      actions: at.operation.actions.map(mask),
      resources: at.operation.resources.map(mask),
      flags: at.operation.flags,
    },
  };
}

/** The request's masked body (when it was read) for the `request` event; the recorder cuts it to size. */
export function requestPayload(masker: Masker, request: AgentRequest): Partial<Pick<EventInput, 'payload' | 'findings'>> {
  const contentType = request.headers.get('content-type') ?? undefined;
  const bytes = request.body.bytes;
  // A streamed body is not kept; its declared size is, when there is one.
  if (!bytes) return request.body.length >= 0 ? { payload: { body: '', bytes: request.body.length, contentType } } : {};
  const masked = masker.auto(new TextDecoder().decode(bytes), contentType);
  return { payload: { body: masked.text, bytes: bytes.byteLength, contentType }, findings: masked.findings };
}
