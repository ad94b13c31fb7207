// Calls the MCP server: the agent's safe headers (its MCP-Protocol-Version included), the
// gateway's credential, the upstream's own session id in place of the gateway's, and the Accept
// the Streamable HTTP transport requires. The masker returned also masks the credential. A 401 with
// a renewable credential (OAuth) is tried once more with a fresh one.
import type { Masker } from '../../masking/index.js';
import type { ForwardContext } from '../kind.js';
import { callRenewing } from '../upstream.js';
import { callMcpSse } from './sse-upstream.js';
import type { McpConnection } from './schema.js';

export const SESSION_HEADER = 'mcp-session-id';

export interface McpCall {
  method: 'GET' | 'POST' | 'DELETE';
  agentHeaders: Headers;
  body?: string;
  upstreamSession?: string;
}

export async function callMcp(call: McpCall, context: ForwardContext): Promise<{ response: Response; masker: Masker }> {
  const config = context.connection.config as McpConnection;
  if (config.transport === 'sse') return callMcpSse(call, context);
  const url = new URL(config.upstream);
  const bytes = call.body === undefined ? undefined : new TextEncoder().encode(call.body);
  const request = { method: call.method, target: { url, path: url.pathname, search: '' }, headers: call.agentHeaders, body: bytes ? { bytes, length: bytes.byteLength } : { length: 0 } };
  const { call: prepared, response } = await callRenewing(request, context, ({ headers }) => {
    headers.delete(SESSION_HEADER);
    headers.delete('last-event-id');
    if (call.upstreamSession) headers.set(SESSION_HEADER, call.upstreamSession);
    headers.set('accept', call.method === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream');
    if (bytes) headers.set('content-type', 'application/json');
  });
  return { response, masker: prepared.masker };
}
