// The refusals of the live path and of offline judging. A catalogue imports only
// platform/problem.ts; every problem type here is listed in docs/problems.md.
import { Refusal, unavailable } from '../platform/problem.js';

/** The agent named a connection the policy in force does not have. */
export const unknownConnection = (name: string) =>
  new Refusal({ status: 404, type: 'unknown-connection', title: 'Unknown connection', detail: `No connection is named "${name}".` });

export const wrongRoute = (name: string, kind: string, served: string) =>
  new Refusal({
    status: 400,
    type: 'wrong-route',
    title: 'Wrong route for this connection',
    detail: `Connection "${name}" is a ${kind} connection; call it at /api/${served}/${name}.`,
  });

export const deniedByPolicy = (reason: string, rule: string) =>
  new Refusal({ status: 403, type: 'denied', title: 'Denied by policy', detail: reason, extensions: { rule } });

export const recordingUnavailable = () =>
  unavailable({
    type: 'recording-unavailable',
    title: 'Session log unavailable',
    detail: 'The gateway could not record this request in the session log, so it was not carried out.',
    retryAfterSeconds: 5,
  });

/** An encoding or charset the rules and masking cannot read. */
export const unsupportedBody = (detail: string) =>
  new Refusal({ status: 415, type: 'unsupported-body', title: 'Request body not accepted', detail });

export const bodyTooDeep = (maxDepth: number) =>
  new Refusal({
    status: 400,
    type: 'invalid-body',
    title: 'Request body not accepted',
    detail: `The JSON body nests more than ${maxDepth} arrays and objects deep.`,
  });

/** Offline judging (`portcullis policy test`): the claims name an issuer the policy does not trust. */
export const unknownIssuer = (iss: unknown) =>
  new Refusal({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail: `No issuer in the policy is ${JSON.stringify(iss)}.` });

/** Masking the body would take longer than one request may hold the gateway. */
export const inspectionBudgetExceeded = (budgetMs: number) =>
  new Refusal({
    status: 422,
    type: 'inspection-budget-exceeded',
    title: 'Request body too costly to inspect',
    detail: `Inspecting the body took longer than the gateway allows one request (${budgetMs} ms); it was not forwarded. Send a smaller body.`,
  });

/** Masking the request on its way out or the answer on its way back would take longer than one request may hold the gateway. */
export const answerInspectionBudgetExceeded = (budgetMs: number) =>
  new Refusal({
    status: 502,
    type: 'answer-inspection-budget-exceeded',
    title: 'Answer too costly to inspect',
    detail: `Masking the exchange with the target took longer than the gateway allows one request (${budgetMs} ms); the answer was not passed on.`,
  });

/** An Mcp-Session-Id the gateway did not issue to this principal on this connection. */
export const unknownMcpSession = () =>
  new Refusal({ status: 404, type: 'unknown-mcp-session', title: 'Unknown MCP session', detail: 'No MCP session with this id is open for you on this connection; initialize a new one.' });

export const missingMcpSession = () =>
  new Refusal({ status: 400, type: 'missing-mcp-session', title: 'No MCP session', detail: 'DELETE needs the Mcp-Session-Id of the session to end.' });

export const mcpMethodNotAllowed = () =>
  new Refusal({ status: 405, type: 'method-not-allowed', title: 'Method not allowed', detail: 'MCP takes POST, GET and DELETE.', headers: { allow: 'POST, GET, DELETE' } });

export const mcpUpstreamInvalid = (connection: string) =>
  new Refusal({ status: 502, type: 'upstream-invalid', title: 'Upstream answered no MCP messages', detail: `The MCP server of "${connection}" answered something that is not JSON-RPC.` });
