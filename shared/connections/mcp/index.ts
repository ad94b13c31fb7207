// The MCP kind: a Streamable HTTP MCP server behind /api/mcp/{connection}. The gateway's MCP path
// (shared/gateway/mcp) judges each JSON-RPC message; classify and forward here serve the generic
// steps: the whole POST as one operation, and one call carried out as it was approved.
import { jsonRpcErrors } from '../error-dialects.js';
import type { ConnectionKind } from '../kind.js';
import { maskResponse } from '../response.js';
import { classifyRequest } from './classify.js';
import { readMessages } from './messages.js';
import { closeSseUpstreams } from './sse-upstream.js';
import { SESSION_HEADER, callMcp } from './upstream.js';

export const mcpKind: ConnectionKind = {
  route: 'mcp',
  readsBody: true,
  errorDialect: jsonRpcErrors,
  // The HTTP+SSE transport's event streams, held open for the agents' sessions.
  close: closeSseUpstreams,
  classify(request) {
    const text = new TextDecoder().decode(request.body.bytes ?? new Uint8Array(0));
    return classifyRequest(request, readMessages(text).messages);
  },
  async forward(request, _operation, context) {
    const body = new TextDecoder().decode(request.body.bytes ?? new Uint8Array(0));
    // A held call was stored with the upstream's session id (see shared/approvals/mcp-call.ts).
    const upstreamSession = request.headers.get(SESSION_HEADER) ?? undefined;
    const { response, masker } = await callMcp({ method: 'POST', agentHeaders: request.headers, body, upstreamSession }, context);
    return maskResponse(response, { masker, captureBytes: context.captureBytes, passBinary: false, connection: context.connection.name });
  },
};
