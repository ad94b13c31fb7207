// Builds session-log events from pipeline values: identity without claims, the operation's
// summary, and masked, truncated payloads with their original sizes. What the agent put in a path
// or query (a token in a webhook URL, say) is masked too: the log is write-once.
import type { AgentRequest } from '../connections/kind.js';
import type { Operation } from '../connections/operation.js';
import { truncate } from '../connections/response.js';
import type { Principal } from '../identity/index.js';
import { InspectionBudgetExceeded, maskSliced, type InspectionBudget, type Masker } from '../masking/index.js';
import { Refusal } from '../platform/problem.js';
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

/**
 * The request's masked body (when it was read) for the `request` event: masked in slices that
 * yield to the event loop, within the request's inspection budget; over it, refused (422).
 */
export async function requestPayload(
  masker: Masker,
  request: AgentRequest,
  limit: number,
  budget: InspectionBudget,
): Promise<Partial<Pick<EventInput, 'payload' | 'findings'>>> {
  const contentType = request.headers.get('content-type') ?? undefined;
  const bytes = request.body.bytes;
  // A streamed body is not kept; its declared size is, when there is one.
  if (!bytes) return request.body.length >= 0 ? { payload: { body: '', bytes: request.body.length, contentType } } : {};
  try {
    const masked = await maskSliced(masker, new TextDecoder().decode(bytes), contentType, budget);
    return { payload: { body: truncate(masked.text, limit), bytes: bytes.byteLength, contentType }, findings: masked.findings };
  } catch (error) {
    if (!(error instanceof InspectionBudgetExceeded)) throw error;
    throw new Refusal({
      status: 422,
      type: 'inspection-budget-exceeded',
      title: 'Request body too costly to inspect',
      detail: `Inspecting the body took longer than the gateway allows one request (${error.budgetMs} ms); it was not forwarded. Send a smaller body.`,
    });
  }
}
