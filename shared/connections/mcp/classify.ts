// One JSON-RPC message → one Operation. The action names the method, and for the calls that pick
// something the thing picked: `tools/call:<name>`, `resources/read:<uri>`, `prompts/get:<name>`.
// A tool call's arguments are the text rules see (as JSON) and the JSON the `arguments` match reads.
import type { AgentRequest } from '../kind.js';
import type { Operation } from '../operation.js';
import { headerRecord } from '../headers.js';
import type { Message } from './messages.js';

/** What a method selects, for the methods whose action names it. */
const SELECTOR: Record<string, string> = { 'tools/call': 'name', 'resources/read': 'uri', 'prompts/get': 'name', 'resources/subscribe': 'uri', 'resources/unsubscribe': 'uri' };

export function classifyMessage(message: Message, headers: Headers): Operation {
  const base = { kind: 'mcp', method: 'POST', path: '', query: '', headers: headerRecord(headers), resources: [] as string[], flags: [] as string[] };
  if (message.type === 'response') {
    // The agent answering a request the server sent it (sampling, elicitation, roots).
    return { ...base, actions: ['response'], text: '', summary: 'MCP response to a server request', details: {} };
  }
  const { method, params } = message.message;
  const key = SELECTOR[method];
  const selected = key && typeof params?.[key] === 'string' ? (params[key] as string) : undefined;
  const action = selected === undefined ? method : `${method}:${selected}`;
  const args = method === 'tools/call' || method === 'prompts/get' ? (params?.arguments ?? {}) : undefined;
  const flags = message.type === 'notification' ? ['notification'] : [];
  return {
    ...base,
    actions: [action],
    resources: method.startsWith('resources/') && selected !== undefined ? [selected] : [],
    flags,
    text: args === undefined ? '' : JSON.stringify(args),
    summary: `MCP ${action}`,
    details: { method, ...(selected === undefined ? {} : { [key!]: selected }) },
    ...(args === undefined ? {} : { arguments: args }),
  };
}

/** The whole POST as one operation (what the ConnectionKind interface classifies). */
export function classifyRequest(request: AgentRequest, messages: Message[]): Operation {
  const parts = messages.map((m) => classifyMessage(m, request.headers));
  return {
    kind: 'mcp',
    method: request.method,
    path: '',
    query: '',
    headers: headerRecord(request.headers),
    actions: parts.flatMap((p) => p.actions),
    resources: parts.flatMap((p) => p.resources),
    flags: [...new Set(parts.flatMap((p) => p.flags))],
    text: parts.map((p) => p.text).filter(Boolean).join('\n'),
    summary: `MCP ${parts.map((p) => p.actions[0]).join(', ')}`,
    details: {},
  };
}
